import AssistantsAPI
import AssistantsClient
import Foundation
import Testing

@Suite struct VectorStoreTests {
    @Test func storesRoundTrip() async throws {
        try await TestServer.run { server in
            let stores = server.client.vectorStores
            let created = try await stores.create(CreateVectorStoreRequest(name: "Docs", metadata: ["team": "a"]))
            #expect(created.id.hasPrefix("vs_") && created.name == "Docs")
            let retrieved = try await stores.retrieve(created.id)
            #expect(retrieved.id == created.id && retrieved.metadata == ["team": "a"])
            let renamed = try await stores.update(created.id, UpdateVectorStoreRequest(name: .some("Manuals")))
            #expect(renamed.name == "Manuals")
            let listed = try await stores.list().collect()
            #expect(listed.map(\.id) == [created.id])
            let deleted = try await stores.delete(created.id)
            #expect(deleted == DeletionStatus(id: created.id, object: "vector_store.deleted"))
        }
    }

    @Test func filesAreIngestedThenSearched() async throws {
        try await TestServer.run { server in
            let client = server.client
            let store = try await client.vectorStores.create(CreateVectorStoreRequest(name: "Fruit"))
            let upload = try await client.files.upload(Data("Bananas are yellow and rich in potassium.".utf8), filename: "bananas.txt")
            let file = try await client.vectorStores.files.createAndPoll(
                vectorStoreID: store.id, CreateVectorStoreFileRequest(fileID: upload.id, attributes: ["kind": .string("fruit")]))
            #expect(file.status == .completed && file.id == upload.id)

            let path = FileManager.default.temporaryDirectory.appendingPathComponent("cherries-\(UUID().uuidString).md").path
            try Data("# Cherries\n\nCherries are red stone fruit.".utf8).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let fromPath = try await client.vectorStores.files.uploadAndPoll(vectorStoreID: store.id, path: path, attributes: ["kind": .string("stone")])
            #expect(fromPath.status == .completed)

            let completed = try await client.vectorStores.files.list(vectorStoreID: store.id, status: .completed).collect()
            #expect(Set(completed.map(\.id)) == [upload.id, fromPath.id])
            let pending = try await client.vectorStores.files.list(vectorStoreID: store.id, status: .inProgress).collect()
            #expect(pending.isEmpty)
            let content = try await client.vectorStores.files.content(upload.id, vectorStoreID: store.id)
            #expect(content.data.map(\.text).joined().contains("potassium"))

            let found = try await client.vectorStores.search(store.id, VectorStoreSearchRequest(queries: ["potassium"]))
            #expect(found.data.first?.fileID == upload.id && found.data.first?.filename == "bananas.txt")
            let filtered = try await client.vectorStores.search(store.id, VectorStoreSearchRequest(
                queries: ["fruit"], filters: .compare(key: "kind", .eq, .single(.string("stone")))))
            #expect(filtered.data.map(\.fileID) == [fromPath.id])

            let tagged = try await client.vectorStores.files.update(upload.id, vectorStoreID: store.id, attributes: nil)
            #expect(tagged.attributes == nil)
            let retrieved = try await client.vectorStores.files.retrieve(upload.id, vectorStoreID: store.id)
            #expect(retrieved.attributes == nil)
            let detached = try await client.vectorStores.files.delete(upload.id, vectorStoreID: store.id)
            #expect(detached == DeletionStatus(id: upload.id, object: "vector_store.file.deleted"))
            let counts = try await client.vectorStores.retrieve(store.id).fileCounts
            #expect(counts.completed == 1 && counts.total == 1)
        }
    }

    @Test func fileBatchesPollUntilNothingIsInProgress() async throws {
        try await TestServer.run { server in
            let client = server.client
            let store = try await client.vectorStores.create()
            var paths: [String] = []
            for (index, text) in ["Apples grow on trees.", "Grapes grow on vines."].enumerated() {
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(index)-\(UUID().uuidString).txt").path
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
                paths.append(path)
            }
            defer { for path in paths { try? FileManager.default.removeItem(atPath: path) } }
            let batch = try await client.vectorStores.fileBatches.uploadAndPoll(vectorStoreID: store.id, paths: paths)
            #expect(batch.fileCounts.completed == 2 && batch.fileCounts.inProgress == 0 && batch.status == .completed)
            let files = try await client.vectorStores.fileBatches.listFiles(batch.id, vectorStoreID: store.id).collect()
            #expect(files.count == 2 && files.allSatisfy { $0.status == .completed })
            let retrieved = try await client.vectorStores.fileBatches.retrieve(batch.id, vectorStoreID: store.id)
            #expect(retrieved == batch)

            let upload = try await client.files.upload(Data("Plums are purple.".utf8), filename: "plums.txt")
            let second = try await client.vectorStores.fileBatches.create(vectorStoreID: store.id, CreateFileBatchRequest(files: [.init(fileID: upload.id)]))
            let cancelled = try await client.vectorStores.fileBatches.cancel(second.id, vectorStoreID: store.id)
            #expect(cancelled.id == second.id)
            let settled = try await client.vectorStores.fileBatches.poll(second.id, vectorStoreID: store.id)
            #expect(settled.fileCounts.inProgress == 0)
        }
    }
}

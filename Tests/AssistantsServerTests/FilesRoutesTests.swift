import AssistantsAPI
import Foundation
import Testing

@Suite struct FilesRoutesTests {
    @Test func uploadRetrieveDownloadDelete() async throws {
        try await TestAPI.run { api in
            let contents = Data((0..<300_000).map { UInt8($0 % 256) })
            let reply = try await api.upload(contents, filename: "blob.bin")
            #expect(reply.status == .ok)
            let file = try reply.decode(FileObject.self)
            #expect(file.id.hasPrefix("file-"))
            #expect(file.bytes == contents.count && file.filename == "blob.bin" && file.purpose == "assistants")
            #expect(file.status == "processed")

            #expect(try await api.call(.get, "/v1/files/\(file.id)", beta: false).decode(FileObject.self) == file)
            let download = try await api.call(.get, "/v1/files/\(file.id)/content", beta: false)
            #expect(download.bytes == contents)
            #expect(download.headers[.contentLength] == "\(contents.count)", "streamed with its length announced")

            let deleted = try await api.call(.delete, "/v1/files/\(file.id)", beta: false)
            #expect(deleted.json == .object(["id": .string(file.id), "object": .string("file"), "deleted": .bool(true)]))
            let gone = try await api.call(.get, "/v1/files/\(file.id)/content", beta: false)
            #expect(gone.status == .notFound)
            #expect(gone.error?.message == "No such File object: \(file.id)")
        }
    }

    @Test func listFiltersByPurpose() async throws {
        try await TestAPI.run { api in
            let text = try await api.upload(Data("a".utf8)).decode(FileObject.self)
            let image = try await api.upload(Data("b".utf8), filename: "b.png", fields: ["purpose": "vision"]).decode(FileObject.self)
            let all = try await api.call(.get, "/v1/files", beta: false).decode(ListPage<FileObject>.self)
            #expect(all.data.map(\.id) == [image.id, text.id])
            let vision = try await api.call(.get, "/v1/files?purpose=vision", beta: false).decode(ListPage<FileObject>.self)
            #expect(vision.data.map(\.id) == [image.id])
            #expect(try await api.call(.get, "/v1/files?limit=10000", beta: false).status == .ok)
            #expect(try await api.call(.get, "/v1/files?limit=10001", beta: false).status == .badRequest)
        }
    }

    @Test func expiryIsRecorded() async throws {
        try await TestAPI.run { api in
            let fields = ["purpose": "assistants", "expires_after[anchor]": "created_at", "expires_after[seconds]": "3600"]
            let file = try await api.upload(Data("x".utf8), fields: fields).decode(FileObject.self)
            #expect(file.expiresAt == file.createdAt + 3600)
            let batch = try await api.upload(Data("{}".utf8), filename: "b.jsonl", fields: ["purpose": "batch"]).decode(FileObject.self)
            #expect(batch.expiresAt == batch.createdAt + 30 * 24 * 3600)
        }
    }

    @Test func badUploadsAre400s() async throws {
        try await TestAPI.run { api in
            let cases: [([String: String], String)] = [
                ([:], "purpose"),
                (["purpose": "fun"], "purpose"),
                (["purpose": "assistants", "expires_after[seconds]": "10"], "expires_after.seconds"),
                (["purpose": "assistants", "expires_after[anchor]": "last_active_at"], "expires_after.anchor"),
            ]
            for (fields, param) in cases {
                let reply = try await api.upload(Data("x".utf8), fields: fields)
                #expect(reply.status == .badRequest, "\(fields)")
                #expect(reply.error?.param == param, "\(fields)")
            }
            var manyFields = ["purpose": "assistants"]
            for index in 0..<40 { manyFields["field\(index)"] = "x" }
            let flooded = try await api.upload(Data("x".utf8), fields: manyFields)
            #expect(flooded.status == .badRequest)
            let notMultipart = try await api.call(.post, "/v1/files", #"{"purpose":"assistants"}"#, beta: false)
            #expect(notMultipart.status == .badRequest)
            #expect(try await api.call(.get, "/v1/files", beta: false).decode(ListPage<FileObject>.self).data.isEmpty)
        }
    }
}

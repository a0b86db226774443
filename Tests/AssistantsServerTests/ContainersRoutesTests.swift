import AssistantsAPI
import AssistantsStore
import Foundation
import HTTPTypes
import NIOCore
import Testing

/// `/v1/containers` and their files: OpenAI's shapes, uploads and copies of stored files, paging, 404s and
/// 400s, and expiry after `expires_after` without use.
@Suite struct ContainersRoutesTests {
    func create(_ api: TestAPI, _ body: String = #"{"name":"box"}"#) async throws -> Container {
        let reply = try await api.call(.post, "/v1/containers", body, beta: false)
        #expect(reply.status == .ok, "\(String(decoding: reply.bytes, as: UTF8.self))")
        return try reply.decode(Container.self)
    }

    func files(_ api: TestAPI, _ id: String, _ query: String = "order=asc") async throws -> ListPage<ContainerFile> {
        try await api.call(.get, "/v1/containers/\(id)/files?\(query)", beta: false).decode(ListPage<ContainerFile>.self)
    }

    @Test func aContainerIsCreatedListedRetrievedAndDeleted() async throws {
        try await TestAPI.run { api in
            let reply = try await api.call(
                .post, "/v1/containers", #"{"name":"My Container","expires_after":{"anchor":"last_active_at","minutes":5},"memory_limit":"4g"}"#,
                beta: false)
            let created = try reply.decode(Container.self)
            let json = reply.json
            #expect(created.id.hasPrefix("cntr_"))
            #expect(json == .object([
                "id": .string(created.id), "object": .string("container"), "created_at": .integer(created.createdAt),
                "name": .string("My Container"), "status": .string("running"),
                "expires_after": .object(["anchor": .string("last_active_at"), "minutes": .integer(5)]),
                "last_active_at": .integer(created.createdAt), "memory_limit": .string("4g"),
                "network_policy": .object(["type": .string("disabled")]),
            ]))
            // Retrieving it is using it.
            var retrieved = try await api.call(.get, "/v1/containers/\(created.id)", beta: false).decode(Container.self)
            #expect(retrieved.lastActiveAt >= created.lastActiveAt)
            retrieved.lastActiveAt = created.lastActiveAt
            #expect(retrieved == created)

            let second = try await create(api, #"{"name":"other"}"#)
            #expect(second.expiresAfter == .default && second.memoryLimit == "1g")
            let third = try await create(api, #"{"name":"My Container"}"#)
            let list = try await api.call(.get, "/v1/containers", beta: false)
            #expect(list.json["object"] == .string("list") && list.json["has_more"] == .bool(false))
            #expect(try list.decode(ListPage<Container>.self).data.map(\.id) == [third.id, second.id, created.id])
            let named = try await api.call(.get, "/v1/containers?name=My+Container&order=asc", beta: false).decode(ListPage<Container>.self)
            #expect(named.data.map(\.id) == [created.id, third.id])
            let page = try await api.call(.get, "/v1/containers?order=asc&limit=1&after=\(created.id)", beta: false).decode(ListPage<Container>.self)
            #expect(page.data.map(\.id) == [second.id] && page.hasMore && page.firstID == second.id && page.lastID == second.id)

            let deleted = try await api.call(.delete, "/v1/containers/\(created.id)", beta: false)
            #expect(deleted.json == .object(["id": .string(created.id), "object": .string("container.deleted"), "deleted": .bool(true)]))
            for (method, path) in [(HTTPRequest.Method.get, ""), (.delete, ""), (.get, "/files")] {
                let gone = try await api.call(method, "/v1/containers/\(created.id)\(path)", beta: false)
                #expect(gone.status == .notFound && gone.error?.message == "Container with id '\(created.id)' not found.")
            }
            let malformed = try await api.call(.get, "/v1/containers/file-1", beta: false)
            #expect(malformed.status == .badRequest && malformed.error?.param == "container_id")
        }
    }

    @Test func filesAreUploadedCopiedListedReadAndDeleted() async throws {
        try await TestAPI.run { api in
            let stored = try await api.upload(Data("from files".utf8), filename: "data.csv").decode(FileObject.self)
            let container = try await create(api, #"{"name":"box","file_ids":["\#(stored.id)"]}"#)
            let copied = try #require(try await files(api, container.id).data.first)
            #expect(copied.path == "/mnt/data/data.csv" && copied.bytes == 10 && copied.source == "user")

            let reply = try await api.upload(Data("hello".utf8), filename: "notes.txt", fields: [:], to: "/v1/containers/\(container.id)/files")
            let uploaded = try reply.decode(ContainerFile.self)
            #expect(uploaded.id.hasPrefix("cfile_"))
            #expect(reply.json == .object([
                "id": .string(uploaded.id), "object": .string("container.file"), "created_at": .integer(uploaded.createdAt),
                "bytes": .integer(5), "container_id": .string(container.id), "path": .string("/mnt/data/notes.txt"),
                "source": .string("user"),
            ]))
            // A copy by id, with a JSON body; the stored file may go, the copy stays.
            let other = try await api.upload(Data("more".utf8), filename: "more.txt").decode(FileObject.self)
            let byID = try await api.call(.post, "/v1/containers/\(container.id)/files", #"{"file_id":"\#(other.id)"}"#, beta: false)
                .decode(ContainerFile.self)
            #expect(byID.path == "/mnt/data/more.txt" && byID.bytes == 4)
            _ = try await api.call(.delete, "/v1/files/\(other.id)", beta: false)

            #expect(try await files(api, container.id).data.map(\.id) == [copied.id, uploaded.id, byID.id])
            let page = try await files(api, container.id, "order=desc&limit=2")
            #expect(page.data.map(\.id) == [byID.id, uploaded.id] && page.hasMore)
            #expect(try await files(api, container.id, "after=\(uploaded.id)").data.map(\.id) == [copied.id])
            #expect(try await api.call(.get, "/v1/containers/\(container.id)/files/\(byID.id)", beta: false).decode(ContainerFile.self) == byID)
            let content = try await api.call(.get, "/v1/containers/\(container.id)/files/\(byID.id)/content", beta: false)
            #expect(content.status == .ok && String(decoding: content.bytes, as: UTF8.self) == "more")
            #expect(content.headers[.contentType] == "application/octet-stream")

            // An upload at a path already taken replaces that file.
            let replacing = try await api.upload(Data("hello again".utf8), filename: "notes.txt", fields: [:], to: "/v1/containers/\(container.id)/files")
                .decode(ContainerFile.self)
            #expect(try await files(api, container.id).data.map(\.id) == [copied.id, byID.id, replacing.id])
            let replaced = try await api.call(.get, "/v1/containers/\(container.id)/files/\(uploaded.id)/content", beta: false)
            #expect(replaced.status == .notFound && replaced.error?.message == "Container file with id '\(uploaded.id)' not found.")

            let deleted = try await api.call(.delete, "/v1/containers/\(container.id)/files/\(copied.id)", beta: false)
            #expect(deleted.json == .object(["id": .string(copied.id), "object": .string("container.file.deleted"), "deleted": .bool(true)]))
            let again = try await api.call(.delete, "/v1/containers/\(container.id)/files/\(copied.id)", beta: false)
            #expect(again.status == .notFound && again.error?.message == "Container file with id '\(copied.id)' not found.")
            // A file is found only in its own container.
            let elsewhere = try await create(api)
            #expect(try await api.call(.get, "/v1/containers/\(elsewhere.id)/files/\(byID.id)", beta: false).status == .notFound)

            #expect(try await api.call(.delete, "/v1/containers/\(container.id)", beta: false).status == .ok)
            #expect(try await api.store.containerFile(id: byID.id, containerID: container.id) == nil)
            #expect(try await api.blobs.contents(of: byID.id) == nil)
        }
    }

    @Test func badRequestsAre400sAndMissingObjects404s() async throws {
        try await TestAPI.run { api in
            let container = try await create(api)
            let cases: [(String, String, String)] = [
                ("/v1/containers", "{}", "name"),
                ("/v1/containers", #"{"name":"c","expires_after":{"anchor":"last_active_at","minutes":0}}"#, "expires_after.minutes"),
                ("/v1/containers", #"{"name":"c","file_ids":["file-missing"]}"#, "file_ids[0]"),
                ("/v1/containers", #"{"name":"c","network_policy":{"type":"allowlist","allowed_domains":["x.com"]}}"#, "network_policy.type"),
                ("/v1/containers", #"{"name":"c","skills":[{"type":"skill_reference","skill_id":"skill_1"}]}"#, "skills"),
                ("/v1/containers/\(container.id)/files", "{}", "file_id"),
                ("/v1/containers/\(container.id)/files", #"{"file_id":"file-missing"}"#, "file_id"),
            ]
            for (path, body, param) in cases {
                let reply = try await api.call(.post, path, body, beta: false)
                #expect(reply.status == .badRequest && reply.error?.param == param, "\(body)")
            }
            let boundary = "b-\(UUID().uuidString)"
            let fieldOnly = "--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nx\r\n--\(boundary)--\r\n"
            let noFile = try await api.send(
                .post, "/v1/containers/\(container.id)/files", headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                body: ByteBuffer(string: fieldOnly))
            #expect(noFile.status == .badRequest && noFile.error?.param == "file")
            let missing = "cntr_missing"
            let upload = try await api.upload(Data("x".utf8), fields: [:], to: "/v1/containers/\(missing)/files")
            #expect(upload.status == .notFound && upload.error?.message == "Container with id '\(missing)' not found.")
            let badCursor = try await api.call(.get, "/v1/containers?after=cntr_nope", beta: false)
            #expect(badCursor.status == .badRequest && badCursor.error?.param == "after")
            let badLimit = try await api.call(.get, "/v1/containers/\(container.id)/files?limit=101", beta: false)
            #expect(badLimit.status == .badRequest && badLimit.error?.param == "limit")
        }
    }

    @Test func anIdleContainerExpiresAndUseKeepsItRunning() async throws {
        try await TestAPI.run { api in
            let stored = try await api.upload(Data("x".utf8)).decode(FileObject.self)
            let idle = try await create(api, #"{"name":"idle","file_ids":["\#(stored.id)"],"expires_after":{"anchor":"last_active_at","minutes":1}}"#)
            let used = try await create(api, #"{"name":"used","expires_after":{"anchor":"last_active_at","minutes":1}}"#)
            // Read from the store: listing its files would be using it.
            let file = try #require(try await api.store.listContainerFiles(containerID: idle.id, ListQuery(limit: 1)).data.first)

            api.clock.advance(by: 45)
            // Reading its files is using it.
            #expect(try await files(api, used.id).data.isEmpty)
            api.clock.advance(by: 30)
            #expect(try await api.containers.expire(now: api.clock.now()) == [idle.id])

            let expired = try await api.call(.get, "/v1/containers/\(idle.id)", beta: false).decode(Container.self)
            #expect(expired.status == .expired && expired.lastActiveAt == idle.lastActiveAt)
            #expect(try await files(api, idle.id).data.isEmpty)
            #expect(try await api.blobs.contents(of: file.id) == nil)
            let add = try await api.call(.post, "/v1/containers/\(idle.id)/files", #"{"file_id":"\#(stored.id)"}"#, beta: false)
            #expect(add.status == .badRequest && add.error?.code == "container_expired")

            let now = api.clock.now()
            let running = try await api.call(.get, "/v1/containers/\(used.id)", beta: false).decode(Container.self)
            #expect(running.status == .running && running.lastActiveAt >= now)
            // Deleting an expired container works as for any other.
            #expect(try await api.call(.delete, "/v1/containers/\(idle.id)", beta: false).status == .ok)
        }
    }
}

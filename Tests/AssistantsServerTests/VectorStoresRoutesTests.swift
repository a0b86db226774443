import AssistantsAPI
import AssistantsStore
import FakeModel
import Foundation
import Testing
import ZIPFoundation

extension TestAPI {
    func uploadFile(_ text: String, filename: String) async throws -> FileObject {
        try await upload(Data(text.utf8), filename: filename).decode(FileObject.self)
    }

    func createVectorStore(_ body: String) async throws -> VectorStore {
        try await call(.post, "/v1/vector_stores", body).decode(VectorStore.self)
    }

    /// Polls the store until none of its files is in progress, as `upload_and_poll` does.
    func ingested(_ storeID: String) async throws -> VectorStore {
        for _ in 0..<500 {
            let store = try await call(.get, "/v1/vector_stores/\(storeID)").decode(VectorStore.self)
            if store.fileCounts.inProgress == 0 { return store }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw RunFailure(message: "vector store \(storeID) did not finish ingesting")
    }

    func search(_ storeID: String, _ body: String) async throws -> VectorStoreSearchResults {
        try await call(.post, "/v1/vector_stores/\(storeID)/search", body).decode(VectorStoreSearchResults.self)
    }
}

@Suite struct VectorStoresRoutesTests {
    static let tea = "Green tea is steeped at 80 degrees for two minutes. Black tea wants boiling water and four minutes."
    static let bikes = "A bicycle chain should be cleaned and oiled every 300 kilometres, more often in the rain."

    @Test func filesAreIngestedAndCountedExactly() async throws {
        try await TestAPI.run { api in
            let tea = try await api.uploadFile(Self.tea, filename: "tea.md")
            let bikes = try await api.uploadFile(Self.bikes, filename: "bikes.txt")
            let binary = try await api.uploadFile("MZ\u{0}\u{1}", filename: "tool.exe")
            let created = try await api.createVectorStore(#"{"name":"kb","file_ids":["\#(tea.id)","\#(bikes.id)","\#(binary.id)"],"metadata":{"team":"a"}}"#)
            #expect(created.fileCounts.total == 3)
            #expect(created.name == "kb")
            let store = try await api.ingested(created.id)
            #expect(store.fileCounts == FileCounts(completed: 2, failed: 1))
            #expect(store.status == .completed)
            #expect(store.usageBytes == Self.tea.utf8.count + Self.bikes.utf8.count)

            let failed = try await api.call(.get, "/v1/vector_stores/\(store.id)/files?filter=failed").decode(ListPage<VectorStoreFile>.self)
            #expect(failed.data.map(\.id) == [binary.id])
            #expect(failed.data.first?.lastError?.code == .unsupportedFile)
            let file = try await api.call(.get, "/v1/vector_stores/\(store.id)/files/\(tea.id)").decode(VectorStoreFile.self)
            #expect(file.status == .completed)
            #expect(file.chunkingStrategy == .static(maxChunkSizeTokens: 800, chunkOverlapTokens: 400))
            let content = try await api.call(.get, "/v1/vector_stores/\(store.id)/files/\(tea.id)/content").json
            #expect(content["data"]?.array.first?["text"]?.stringValue == Self.tea)
            #expect(content["object"]?.stringValue == "vector_store.file_content.page")

            let page = try await api.call(.get, "/v1/vector_stores/\(store.id)/files?limit=1&order=asc").decode(ListPage<VectorStoreFile>.self)
            #expect(page.data.map(\.id) == [tea.id] && page.hasMore)
            let next = try await api.call(.get, "/v1/vector_stores/\(store.id)/files?limit=5&order=asc&after=\(tea.id)").decode(ListPage<VectorStoreFile>.self)
            #expect(next.data.map(\.id) == [bikes.id, binary.id])
        }
    }

    @Test func searchRanksFiltersAndStaysInItsStore() async throws {
        try await TestAPI.run { api in
            let tea = try await api.uploadFile(Self.tea, filename: "tea.md")
            let bikes = try await api.uploadFile(Self.bikes, filename: "bikes.txt")
            let store = try await api.createVectorStore("{}")
            let other = try await api.createVectorStore(#"{"file_ids":["\#(tea.id)"]}"#)
            let batch = try await api.call(.post, "/v1/vector_stores/\(store.id)/file_batches", #"""
                {"files":[{"file_id":"\#(tea.id)","attributes":{"topic":"drinks","year":2024}},
                          {"file_id":"\#(bikes.id)","attributes":{"topic":"bikes","year":2021}}]}
                """#).decode(VectorStoreFileBatch.self)
            #expect(batch.fileCounts.total == 2)
            _ = try await api.ingested(store.id)
            _ = try await api.ingested(other.id)

            let results = try await api.search(store.id, #"{"query":"how long to steep black tea"}"#)
            #expect(results.data.first?.fileID == tea.id)
            #expect(results.data.first?.attributes?["topic"] == .string("drinks"))
            #expect(results.searchQuery == ["how long to steep black tea"])
            #expect(results.data.allSatisfy { (0...1).contains($0.score) })

            let filtered = try await api.search(store.id, #"{"query":["tea","chain"],"filters":{"type":"lt","key":"year","value":2023}}"#)
            #expect(filtered.data.map(\.fileID) == [bikes.id])
            let either = try await api.search(
                store.id, #"{"query":"tea chain","filters":{"type":"or","filters":[{"type":"eq","key":"topic","value":"bikes"},{"type":"in","key":"topic","value":["drinks"]}]}}"#)
            #expect(Set(either.data.map(\.fileID)) == [tea.id, bikes.id])
            let strict = try await api.search(store.id, #"{"query":"tea","ranking_options":{"score_threshold":1}}"#)
            #expect(strict.data.isEmpty)

            // The same file in another store is not found through this one once removed here.
            let removed = try await api.call(.delete, "/v1/vector_stores/\(store.id)/files/\(tea.id)")
            #expect(removed.json["object"]?.stringValue == "vector_store.file.deleted")
            #expect(try await api.search(store.id, #"{"query":"green tea"}"#).data.allSatisfy { $0.fileID != tea.id })
            #expect(try await api.search(other.id, #"{"query":"green tea"}"#).data.first?.fileID == tea.id)
        }
    }

    @Test func batchesReportTheirFilesAndCancelOnlyWhileWorking() async throws {
        try await TestAPI.run { api in
            let files = try await (0..<3).asyncMap { try await api.uploadFile("Note number \($0) about tea.", filename: "n\($0).txt") }
            let store = try await api.createVectorStore("{}")
            let ids = files.map { "\"\($0.id)\"" }.joined(separator: ",")
            let batch = try await api.call(
                .post, "/v1/vector_stores/\(store.id)/file_batches",
                #"{"file_ids":[\#(ids)],"chunking_strategy":{"type":"static","static":{"max_chunk_size_tokens":100,"chunk_overlap_tokens":0}}}"#
            ).decode(VectorStoreFileBatch.self)
            #expect(batch.vectorStoreID == store.id)
            _ = try await api.ingested(store.id)
            let done = try await api.call(.get, "/v1/vector_stores/\(store.id)/file_batches/\(batch.id)").decode(VectorStoreFileBatch.self)
            #expect(done.status == .completed)
            #expect(done.fileCounts == FileCounts(completed: 3))
            let listed = try await api.call(.get, "/v1/vector_stores/\(store.id)/file_batches/\(batch.id)/files?order=asc").decode(ListPage<VectorStoreFile>.self)
            #expect(listed.data.map(\.id) == files.map(\.id))
            #expect(listed.data.first?.chunkingStrategy == .static(maxChunkSizeTokens: 100, chunkOverlapTokens: 0))
            let cancelled = try await api.call(.post, "/v1/vector_stores/\(store.id)/file_batches/\(batch.id)/cancel").decode(VectorStoreFileBatch.self)
            #expect(cancelled.status == .completed)
        }
    }

    @Test func uploadedFilesDeletedLeaveTheirStores() async throws {
        try await TestAPI.run { api in
            let tea = try await api.uploadFile(Self.tea, filename: "tea.md")
            let store = try await api.ingested(try await api.createVectorStore(#"{"file_ids":["\#(tea.id)"]}"#).id)
            #expect(store.fileCounts.completed == 1)
            #expect(try await api.call(.delete, "/v1/files/\(tea.id)").status == .ok)
            let after = try await api.call(.get, "/v1/vector_stores/\(store.id)").decode(VectorStore.self)
            #expect(after.fileCounts.total == 0)
            #expect(try await api.search(store.id, #"{"query":"green tea"}"#).data.isEmpty)
        }
    }

    @Test func filesOverAnExtractionLimitFailNamingIt() async throws {
        try await TestAPI.run { api in
            // 100 MiB of zeros in word/document.xml: about 100 KiB uploaded.
            let archive = try Archive(data: Data(), accessMode: .create)
            let zeros = 100 << 20, piece = Data(count: 1 << 16)
            try archive.addEntry(with: "word/document.xml", type: .file, uncompressedSize: Int64(zeros), compressionMethod: .deflate) { position, size in
                piece.prefix(min(size, zeros - Int(position)))
            }
            let bomb = try await api.upload(try #require(archive.data), filename: "bomb.docx").decode(FileObject.self)
            // One 2 MiB "word": no whitespace anywhere.
            let word = try await api.upload(Data(repeating: UInt8(ascii: "x"), count: 2 << 20), filename: "word.txt").decode(FileObject.self)
            let store = try await api.ingested(try await api.createVectorStore(#"{"file_ids":["\#(bomb.id)","\#(word.id)"]}"#).id)
            #expect(store.fileCounts == FileCounts(completed: 1, failed: 1))

            let failed = try await api.call(.get, "/v1/vector_stores/\(store.id)/files/\(bomb.id)").decode(VectorStoreFile.self)
            #expect(failed.status == .failed)
            #expect(failed.lastError?.code == .invalidFile)
            #expect(failed.lastError?.message == "bomb.docx unpacks to more than 100 times its compressed size, the limit for a .docx file.")
            let content = try await api.call(.get, "/v1/vector_stores/\(store.id)/files/\(bomb.id)/content")
            #expect(content.status == .badRequest)
            #expect(content.error?.code == "invalid_file")

            let completed = try await api.call(.get, "/v1/vector_stores/\(store.id)/files/\(word.id)").decode(VectorStoreFile.self)
            #expect(completed.status == .completed)
            #expect(completed.usageBytes == 2 << 20)
        }
    }

    @Test func expiredUploadsLeaveTheirStores() async throws {
        try await TestAPI.run { api in
            let fields = ["purpose": "assistants", "expires_after[anchor]": "created_at", "expires_after[seconds]": "3600"]
            let tea = try await api.upload(Data(Self.tea.utf8), filename: "tea.md", fields: fields).decode(FileObject.self)
            let bikes = try await api.uploadFile(Self.bikes, filename: "bikes.txt")
            let store = try await api.ingested(try await api.createVectorStore(#"{"file_ids":["\#(tea.id)","\#(bikes.id)"]}"#).id)
            #expect(store.fileCounts.completed == 2)
            #expect(try await api.search(store.id, #"{"query":"green tea"}"#).data.map(\.fileID) == [tea.id])

            #expect(try await api.vectorStores.deleteExpiredFiles(now: api.vectorStores.clock.now() + 3601) == [tea.id])
            let after = try await api.call(.get, "/v1/vector_stores/\(store.id)").decode(VectorStore.self)
            #expect(after.fileCounts == FileCounts(completed: 1))
            #expect(after.usageBytes == Self.bikes.utf8.count)
            #expect(try await api.search(store.id, #"{"query":"green tea"}"#).data.allSatisfy { $0.fileID != tea.id })
            #expect(try await api.call(.get, "/v1/vector_stores/\(store.id)/files/\(tea.id)").status == .notFound)
            #expect(try await api.call(.get, "/v1/files/\(tea.id)").status == .notFound)
            #expect(try await api.call(.get, "/v1/files/\(tea.id)/content").status == .notFound)
        }
    }

    @Test func expiredStoresAreRefused() async throws {
        try await TestAPI.run { api in
            let store = try await api.createVectorStore(#"{"expires_after":{"anchor":"last_active_at","days":2}}"#)
            #expect(store.expiresAt == (store.lastActiveAt ?? 0) + 2 * 86_400)
            _ = try await api.vectorStores.expire(now: api.vectorStores.clock.now() + 3 * 86_400)
            let expired = try await api.call(.get, "/v1/vector_stores/\(store.id)").decode(VectorStore.self)
            #expect(expired.status == .expired)
            let search = try await api.call(.post, "/v1/vector_stores/\(store.id)/search", #"{"query":"x"}"#)
            #expect(search.status == .badRequest)
            #expect(search.error?.message.contains("expired") == true)
            let assistant = try await api.call(.post, "/v1/assistants", #"{"model":"m","tool_resources":{"file_search":{"vector_store_ids":["\#(store.id)"]}}}"#)
            #expect(assistant.status == .badRequest)
            #expect(assistant.error?.param == "tool_resources.file_search.vector_store_ids")
        }
    }

    @Test func runsFailOnceTheThreadsStoreHasExpired() async throws {
        try await TestAPI.run(model: true) { api in
            let tea = try await api.uploadFile(Self.tea, filename: "tea.md")
            let assistant = try await api.createAssistant(#"{"model":"m","tools":[{"type":"file_search"}]}"#)
            let thread = try await api.createThread(
                #"{"messages":[{"role":"user","content":"tea?","attachments":[{"file_id":"\#(tea.id)","tools":[{"type":"file_search"}]}]}]}"#)
            let storeID = try #require(thread.toolResources.fileSearch?.vectorStoreIDs.first)
            _ = try await api.ingested(storeID)
            _ = try await api.vectorStores.expire(now: api.vectorStores.clock.now() + 8 * 86_400)
            let run = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#))
            #expect(run.status == .failed)
            #expect(run.lastError?.code == "invalid_prompt")
            #expect(run.lastError?.message.contains(storeID) == true)
            #expect(api.model?.requests().isEmpty == true)
        }
    }

    @Test func badInputIsA400NamingItsParameter() async throws {
        try await TestAPI.run { api in
            let file = try await api.uploadFile("text", filename: "a.txt")
            let store = try await api.createVectorStore("{}")
            let many = (0...2000).map { _ in "\"\(file.id)\"" }.joined(separator: ",")
            let cases: [(String, String, String)] = [
                ("/v1/vector_stores", #"{"file_ids":["file-missing"]}"#, "file_ids"),
                ("/v1/vector_stores", #"{"expires_after":{"anchor":"last_active_at","days":0}}"#, "expires_after.days"),
                ("/v1/vector_stores", #"{"file_ids":["\#(file.id)"],"chunking_strategy":{"type":"semantic"}}"#, "chunking_strategy.type"),
                ("/v1/vector_stores/\(store.id)/files", #"{"file_id":"file-missing"}"#, "file_id"),
                ("/v1/vector_stores/\(store.id)/files", #"{"file_id":"\#(file.id)","chunking_strategy":{"type":"static","static":{"max_chunk_size_tokens":99,"chunk_overlap_tokens":0}}}"#, "chunking_strategy.static.max_chunk_size_tokens"),
                ("/v1/vector_stores/\(store.id)/files", #"{"file_id":"\#(file.id)","chunking_strategy":{"type":"static","static":{"max_chunk_size_tokens":400,"chunk_overlap_tokens":201}}}"#, "chunking_strategy.static.chunk_overlap_tokens"),
                ("/v1/vector_stores/\(store.id)/files", #"{"file_id":"\#(file.id)","attributes":{"k":[1]}}"#, "attributes.k"),
                ("/v1/vector_stores/\(store.id)/file_batches", #"{"file_ids":[\#(many)]}"#, "file_ids"),
                ("/v1/vector_stores/\(store.id)/file_batches", #"{"file_ids":["\#(file.id)","file-missing"]}"#, "file_ids[1]"),
                ("/v1/vector_stores/\(store.id)/file_batches", #"{"files":[{"file_id":"file-missing"}]}"#, "files[0].file_id"),
                ("/v1/vector_stores/\(store.id)/file_batches", #"{"file_ids":["\#(file.id)"],"files":[{"file_id":"\#(file.id)"}]}"#, "files"),
                ("/v1/vector_stores/\(store.id)/file_batches", #"{}"#, "file_ids"),
                ("/v1/vector_stores/\(store.id)/search", #"{"query":"x","max_num_results":51}"#, "max_num_results"),
                ("/v1/vector_stores/\(store.id)/search", #"{"query":"x","filters":{"type":"near","key":"a","value":1}}"#, "filters.type"),
                ("/v1/vector_stores/\(store.id)/search", #"{"query":[]}"#, "query"),
                ("/v1/vector_stores/\(store.id)/files/\(file.id)", #"{}"#, "attributes"),
            ]
            for (path, body, param) in cases {
                let reply = try await api.call(.post, path, body)
                #expect(reply.status == .badRequest, "\(body)")
                #expect(reply.error?.param == param, "\(body)")
            }
            let missing = try await api.call(.get, "/v1/vector_stores/vs_missing")
            #expect(missing.status == .notFound)
            #expect(missing.error?.message == "No vector store found with id 'vs_missing'.")
            #expect(try await api.call(.get, "/v1/vector_stores/\(store.id)/files?filter=done").error?.param == "filter")
        }
    }

    @Test func attachmentsAndTheHelperMakeStores() async throws {
        try await TestAPI.run { api in
            let tea = try await api.uploadFile(Self.tea, filename: "tea.md")
            let bikes = try await api.uploadFile(Self.bikes, filename: "bikes.txt")
            let assistant = try await api.createAssistant(
                #"{"model":"m","tools":[{"type":"file_search"}],"tool_resources":{"file_search":{"vector_stores":[{"file_ids":["\#(tea.id)"]}]}}}"#)
            let helperStore = try #require(assistant.toolResources.fileSearch?.vectorStoreIDs.first)
            #expect(try await api.ingested(helperStore).fileCounts.completed == 1)

            let thread = try await api.createThread(
                #"{"messages":[{"role":"user","content":"read this","attachments":[{"file_id":"\#(tea.id)","tools":[{"type":"file_search"}]}]}]}"#)
            let threadStore = try #require(thread.toolResources.fileSearch?.vectorStoreIDs.first)
            let message = try await api.call(
                .post, "/v1/threads/\(thread.id)/messages",
                #"{"role":"user","content":"and this","attachments":[{"file_id":"\#(bikes.id)","tools":[{"type":"file_search"}]}]}"#)
            #expect(message.status == .ok)
            let store = try await api.ingested(threadStore)
            #expect(store.fileCounts.completed == 2)
            #expect(store.expiresAfter == .threadDefault)
            let retrieved = try await api.call(.get, "/v1/threads/\(thread.id)").decode(AssistantThread.self)
            #expect(retrieved.toolResources.fileSearch?.vectorStoreIDs == [threadStore])
        }
    }

    @Test func requestsALockedThreadRefusesAttachNothing() async throws {
        try await TestAPI.run(model: true) { api in
            let tea = try await api.uploadFile(Self.tea, filename: "tea.md")
            let tools = #"[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]"#
            let (assistant, thread) = try await api.assistantAndThread(tools: tools)
            api.model?.enqueue(FakeReply(toolCalls: [.init(name: "get_weather", arguments: "{}", id: "call_1")]))
            let waiting = try await api.settled(try await api.createRun(thread, #"{"assistant_id":"\#(assistant.id)"}"#))
            #expect(waiting.status == .requiresAction)

            let attachment = #"{"role":"user","content":"tea?","attachments":[{"file_id":"\#(tea.id)","tools":[{"type":"file_search"}]}]}"#
            let message = try await api.call(.post, "/v1/threads/\(thread.id)/messages", attachment)
            #expect(message.status == .badRequest)
            let run = try await api.call(
                .post, "/v1/threads/\(thread.id)/runs", #"{"assistant_id":"\#(assistant.id)","additional_messages":[\#(attachment)]}"#)
            #expect(run.status == .badRequest)

            let after = try await api.call(.get, "/v1/threads/\(thread.id)").decode(AssistantThread.self)
            #expect(after.toolResources.fileSearch == nil)
            #expect(try await api.call(.get, "/v1/vector_stores").decode(ListPage<VectorStore>.self).data.isEmpty)

            // A thread that already has a store keeps it as it was.
            let withStore = try await api.createThread(#"{"messages":[\#(attachment)]}"#)
            let storeID = try #require(withStore.toolResources.fileSearch?.vectorStoreIDs.first)
            _ = try await api.ingested(storeID)
            let bikes = try await api.uploadFile(Self.bikes, filename: "bikes.txt")
            api.model?.enqueue(FakeReply(toolCalls: [.init(name: "get_weather", arguments: "{}", id: "call_2")]))
            let busy = try await api.settled(try await api.createRun(withStore, #"{"assistant_id":"\#(assistant.id)"}"#))
            #expect(busy.status == .requiresAction)
            let refused = try await api.call(
                .post, "/v1/threads/\(withStore.id)/messages",
                #"{"role":"user","content":"bikes?","attachments":[{"file_id":"\#(bikes.id)","tools":[{"type":"file_search"}]}]}"#)
            #expect(refused.status == .badRequest)
            let files = try await api.call(.get, "/v1/vector_stores/\(storeID)/files").decode(ListPage<VectorStoreFile>.self)
            #expect(files.data.map(\.id) == [tea.id])
            #expect(files.data.first?.status == .completed)
        }
    }

    @Test func fileSearchAnswersWithCitations() async throws {
        try await TestAPI.run(model: true) { api in
            let tea = try await api.uploadFile(Self.tea, filename: "tea.md")
            let store = try await api.ingested(try await api.createVectorStore(#"{"file_ids":["\#(tea.id)"]}"#).id)
            let assistant = try await api.createAssistant(
                #"{"model":"m","tools":[{"type":"file_search"}],"tool_resources":{"file_search":{"vector_store_ids":["\#(store.id)"]}}}"#)
            let thread = try await api.createThread(#"{"messages":[{"role":"user","content":"How long for green tea?"}]}"#)
            api.model?.enqueue(
                FakeReply(toolCalls: [.init(name: "file_search", arguments: #"{"query":"green tea steeping time"}"#)]),
                FakeReply(text: "Two minutes at 80 degrees【0:0†tea.md】."))
            let reply = try await api.call(.post, "/v1/threads/\(thread.id)/runs", #"{"assistant_id":"\#(assistant.id)","stream":true}"#)
            let run = try await api.settled(try await api.call(.get, "/v1/threads/\(thread.id)/runs").decode(ListPage<Run>.self).data[0])
            #expect(run.status == .completed)

            // What the model was told: the passage behind its marker.
            let toolMessage = api.model?.requests().last?.body["messages"]?.array.last
            #expect(toolMessage?["role"]?.stringValue == "tool")
            let told = toolMessage?["content"]?.stringValue ?? ""
            #expect(told.contains("【0:0†tea.md】\n" + Self.tea))

            let message = try #require(try await api.messages(thread).last)
            guard case .text(let text) = message.content.first else { Issue.record("no text"); return }
            #expect(text.value == "Two minutes at 80 degrees【0:0†tea.md】.")
            let annotation = try #require(text.annotations.first)
            #expect(annotation.kind == .fileCitation)
            #expect(annotation.fileID == tea.id)
            #expect(annotation.text == "【0:0†tea.md】")
            #expect(annotation.startIndex == 25 && annotation.endIndex == 37)

            // The marker streams whole, in the one delta that carries its annotation, as OpenAI sends it:
            // the model sent it in 4-character pieces, which are held back until it is complete.
            let events = reply.events
            let texts = events.filter { $0.name == "thread.message.delta" }
                .flatMap { $0.json["delta"]?["content"]?.array ?? [] }
                .compactMap { $0["text"] }
            #expect(texts.compactMap { $0["value"]?.stringValue }.joined() == "Two minutes at 80 degrees【0:0†tea.md】.")
            let annotated = texts.filter { !($0["annotations"]?.array ?? []).isEmpty }
            #expect(annotated.count == 1)
            #expect(annotated.first?["value"]?.stringValue == "【0:0†tea.md】")
            let streamedCitation = annotated.first?["annotations"]?.array.first
            #expect(streamedCitation?["index"] == .integer(0))
            #expect(streamedCitation?["file_citation"]?["file_id"]?.stringValue == tea.id)
            #expect(streamedCitation?["start_index"] == .integer(25) && streamedCitation?["end_index"] == .integer(37))
            #expect(!texts.contains { ($0["value"]?.stringValue ?? "").contains("【") != ($0["value"]?.stringValue ?? "").contains("】") })
            let streamedResults = events.filter { $0.name == "thread.run.step.completed" }
                .flatMap { $0.json["step_details"]?["tool_calls"]?.array ?? [] }
                .flatMap { $0["file_search"]?["results"]?.array ?? [] }
            #expect(streamedResults.first?["file_id"]?.stringValue == tea.id)
            #expect(streamedResults.first?["content"] == nil)

            let plain = try await api.steps(run)
            guard case .toolCalls(let calls) = plain.first?.details, case .fileSearch(let search) = calls.first?.kind else {
                Issue.record("no file_search step"); return
            }
            #expect(search.results.map(\.fileName) == ["tea.md"])
            #expect(search.results.first?.content == nil)
            let include = "step_details.tool_calls%5B*%5D.file_search.results%5B*%5D.content"
            let detailed = try await api.call(.get, "/v1/threads/\(thread.id)/runs/\(run.id)/steps?order=asc&include%5B%5D=\(include)")
                .decode(ListPage<RunStep>.self).data
            guard case .toolCalls(let full) = detailed.first?.details, case .fileSearch(let fullSearch) = full.first?.kind else {
                Issue.record("no file_search step"); return
            }
            #expect(fullSearch.results.first?.content?.first?.text == Self.tea)
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

import AssistantsAPI
import AssistantsEngine
import AssistantsServer
import AssistantsStore
import FakeModel
import Foundation
import Logging
import ModelProviders
import PostgresStore
import PostgresTestSupport
import Retrieval
import SQLiteStore
import Synchronization
import Testing

/// `assistants migrate`: a deployment filled through the stores' own APIs on SQLite comes back from
/// PostgreSQL object for object, bytes for bytes, and searches the same.
@Suite(.closesStores) struct MigrateTests {
    /// What the source held when it was stopped, as its stores read it back.
    struct Deployment: Sendable {
        var assistants: [Assistant]
        var deletedAssistantID: String
        var thread: AssistantThread
        var messages: [Message]
        var run: Run
        var steps: [RunStep]
        var interruptedRun: Run
        var files: [FileObject]
        var bigFile: FileObject
        var bigBytes: Data
        var vectorStore: VectorStore
        var vectorStoreFiles: [VectorStoreFile]
        var chunkTexts: [String]
        var embeddings: [[Float]]
        var search: VectorStoreSearchResults
    }

    static let query = VectorStoreSearchRequest(queries: ["which river do the boats sail on"], maxNumResults: 5)

    @Test func copiesEveryObjectWithItsIdsBytesAndChunks() async throws {
        let target = try PostgresTestDatabase.configuration()
        // Made first, so the test's schema is dropped however the test ends.
        let store = try await PostgresTestDatabase.makeStore(configuration: target)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = try await FakeModelServer.start()
        let provider = OpenAICompatibleProvider(configuration: .init(baseURL: fake.baseURL))
        let outcome = await Result {
            let source = try await Self.fill(directory, provider: provider)
            try await Self.refusesWhileAServerRuns(directory, into: target)
            let summary = try await migrate(from: try MigrationSource(from: directory.path), to: target, logger: Self.logger) { _ in }
            #expect(summary.count(StoredTable.message) == source.messages.count)
            #expect(summary.blobBytes >= source.bigBytes.count)
            try await Self.check(source, in: store, provider: provider, staging: directory)

            // A second copy into the now filled target is refused, and changes nothing.
            let error = await #expect(throws: MigrationError.self) {
                _ = try await migrate(from: try MigrationSource(from: directory.path), to: target, logger: Self.logger) { _ in }
            }
            #expect(error?.description.contains("already holds records") == true, "\(error.map(String.init(describing:)) ?? "")")
            #expect(try await store.listAssistants(ListQuery(limit: 100)).data == source.assistants)
        }
        await provider.shutdown()
        await fake.stop()
        try outcome.get()
    }

    /// A copy the target refuses midway (PostgreSQL's `jsonb` takes no NUL character) commits no records,
    /// and once the cause is fixed the copy runs again over the file contents and chunks it left.
    @Test func aFailedCopyLeavesNoRecordsAndCanRunAgain() async throws {
        let target = try PostgresTestDatabase.configuration()
        let store = try await PostgresTestDatabase.makeStore(configuration: target)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let layout = ServerConfiguration(dataDirectory: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let bytes = Data("contents".utf8)
        let file = FileObject(id: ObjectKind.file.newID(), bytes: bytes.count, createdAt: 1, filename: "a.txt", purpose: "assistants")
        let assistant = Assistant(id: ObjectKind.assistant.newID(), createdAt: 2, name: "nul \u{0} here", model: "gpt-4o")
        let storeID = ObjectKind.vectorStore.newID()
        let project = Project(id: ObjectKind.project.newID(), name: "team", createdAt: 1)
        let key = APIKeyRecord(id: ObjectKind.apiKey.newID(), projectID: project.id, name: "ci", redactedValue: "sk-proj-abc…wxyz", createdAt: 1)
        do {
            let source = try SQLiteStore(path: directory.appendingPathComponent("assistants.sqlite").path)
            try await FileSystemBlobStore(root: layout.filesDirectory).write(bytes, as: file.id)
            try await source.createFile(file)
            // Projects, their keys and what belongs to them go over as they are.
            try await source.createProject(project)
            try await source.createAPIKey(key, hash: "key-hash")
            try await ProjectScope.$current.withValue(project.id) { try await source.createAssistant(assistant) }
            let chunks = [Chunk(text: "one", start: 0, end: 3, tokenCount: 1), Chunk(text: "two", start: 4, end: 7, tokenCount: 1)]
            _ = try await SQLiteChunkStorage(path: layout.searchIndexPath).replace(
                storeID: storeID, removing: [], adding: [IndexedFile(fileID: file.id, filename: "a.txt", chunks: chunks)])
        }

        let error = await #expect(throws: MigrationError.self) {
            _ = try await migrate(from: try MigrationSource(from: directory.path), to: target, logger: Self.logger) { _ in }
        }
        #expect(error?.description.contains("no records were committed") == true, "\(error.map(String.init(describing:)) ?? "")")
        #expect(try await store.storedRowCounts().isEmpty)

        _ = try await SQLiteStore(path: directory.appendingPathComponent("assistants.sqlite").path)
            .updateAssistant(id: assistant.id) { $0.name = "fixed" }
        let summary = try await migrate(from: try MigrationSource(from: directory.path), to: target, logger: Self.logger) { _ in }
        #expect(summary.count(StoredTable.assistant) == 1)
        #expect(try await store.assistant(id: assistant.id)?.name == "fixed")
        #expect(try await store.file(id: file.id) == file)
        #expect(try await store.projects() == [Project.defaultProject, project])
        #expect(try await store.apiKey(hash: "key-hash") == key)
        #expect(try await store.project(of: .assistant, id: assistant.id) == project.id)
        #expect(try await store.project(of: .file, id: file.id) == ProjectScope.defaultProjectID)
        let blobs = try PostgresBlobStore(store: store, stagingBase: directory.appendingPathComponent("check-staging"))
        #expect(try await blobs.read(file.id) == bytes)
        #expect(try await Self.texts(store.makeChunkStorage(), storeID) == ["one", "two"])
    }

    @Test func sourceIsADataDirectoryOrItsDatabase() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: MigrationError.self) { try MigrationSource(from: directory.path) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let error = #expect(throws: MigrationError.self) { try MigrationSource(from: directory.path) }
        #expect(error?.description.contains("assistants.sqlite") == true)
        let database = directory.appendingPathComponent("assistants.sqlite")
        _ = try SQLiteStore(path: database.path)

        let fromDirectory = try MigrationSource(from: directory.path)
        #expect(fromDirectory.database == database.path)
        #expect(fromDirectory.dataDirectory.standardizedFileURL.path == directory.path)
        let fromURL = try MigrationSource(from: "sqlite://" + database.path)
        #expect(fromURL == fromDirectory || fromURL.dataDirectory.standardizedFileURL.path == directory.path)
        #expect(try MigrationSource(from: database.path, dataDirectory: "/elsewhere").dataDirectory.path == "/elsewhere")
        #expect(throws: MigrationError.self) { try MigrationSource(from: "postgres://user@localhost/db") }
    }

    static let logger: Logger = {
        var logger = Logger(label: "migrate-test")
        logger.logLevel = .warning
        return logger
    }()

    /// A server still using the data directory (it holds a staging directory there) stops the copy before
    /// it writes anything.
    static func refusesWhileAServerRuns(_ directory: URL, into target: PostgresStore.Configuration) async throws {
        let running = try FileSystemBlobStore(root: directory.appendingPathComponent("files"))
        let error = await #expect(throws: MigrationError.self) {
            _ = try await migrate(from: try MigrationSource(from: directory.path), to: target, logger: logger) { _ in }
        }
        #expect(error?.description.contains("running") == true, "\(error.map(String.init(describing:)) ?? "")")
        _ = running
    }

    /// Fills a SQLite deployment laid out as `assistants serve --data-dir directory` keeps it, and reads back
    /// what it holds. Everything it opens is closed when it returns, as a stopped server leaves it.
    static func fill(_ directory: URL, provider: OpenAICompatibleProvider) async throws -> Deployment {
        let layout = ServerConfiguration(dataDirectory: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard case .sqlite(let path) = layout.database() else { throw MigrationError("not SQLite") }
        let store = try SQLiteStore(path: path)
        let blobs = try FileSystemBlobStore(root: layout.filesDirectory)
        let vectorStores = VectorStores(
            store: store, blobs: blobs, index: SearchIndex(storage: try SQLiteChunkStorage(path: layout.searchIndexPath)),
            embeddings: .init(provider: provider, model: "embedder"))

        // More than a MiB of bytes of every value, so a copy that truncated, re-encoded or chunked wrongly shows.
        let bigBytes = Data((0..<(1 << 20) + 12_345).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })
        let bigFile = FileObject(id: ObjectKind.file.newID(), bytes: bigBytes.count, createdAt: 1_700_000_000, filename: "data.bin", purpose: "assistants")
        try await blobs.write(bigBytes, as: bigFile.id)
        try await store.createFile(bigFile)
        let text = (0..<300).map { "Line \($0): the boats sail on the river Severn past mill \($0 % 7)." }.joined(separator: "\n")
        let doc = FileObject(id: ObjectKind.file.newID(), bytes: text.utf8.count, createdAt: 1_700_000_001, filename: "rivers.md", purpose: "assistants")
        try await blobs.write(Data(text.utf8), as: doc.id)
        try await store.createFile(doc)

        let created = try await vectorStores.create(CreateVectorStoreRequest(
            fileIDs: [doc.id], name: "Rivers", chunkingStrategy: .static(maxChunkSizeTokens: 100, chunkOverlapTokens: 20),
            metadata: ["topic": "rivers"]))
        let ingestion = Task { try await VectorStoreIngestion(vectorStores).run() }
        _ = try await eventuallyValue {
            try await store.vectorStore(id: created.id).flatMap { $0.fileCounts.completed == 1 ? $0 : nil }
        }
        ingestion.cancel()
        _ = await ingestion.result

        let deleted = Assistant(id: ObjectKind.assistant.newID(), createdAt: 1_700_000_002, model: "gpt-4o")
        try await store.createAssistant(deleted)
        let assistant = Assistant(
            id: ObjectKind.assistant.newID(), createdAt: 1_700_000_003, name: "Pilot", description: "Knows rivers", model: "gpt-4o",
            instructions: "Answer from the files.",
            tools: [
                .codeInterpreter, .fileSearch(.init(maxNumResults: 7)),
                .function(FunctionDefinition(name: "depth", description: "River depth", parameters: .object(["type": .string("object")]))),
            ],
            toolResources: .init(codeInterpreter: .init(fileIDs: [bigFile.id]), fileSearch: .init(vectorStoreIDs: [created.id])),
            metadata: ["team": "blue", "ünïcode": "✓"], temperature: 0.25, topP: 0.5)
        try await store.createAssistant(assistant)
        _ = try await store.deleteAssistant(id: deleted.id)

        let thread = AssistantThread(
            id: ObjectKind.thread.newID(), createdAt: 1_700_000_004,
            toolResources: .init(fileSearch: .init(vectorStoreIDs: [created.id])), metadata: ["user": "42"])
        let question = Message(
            id: ObjectKind.message.newID(), createdAt: 1_700_000_005, threadID: thread.id, role: .user,
            content: [.text(MessageText(value: "Where do the boats sail?"))],
            attachments: [Attachment(fileID: doc.id, tools: [.fileSearch]), Attachment(fileID: bigFile.id, tools: [.codeInterpreter])],
            metadata: ["lang": "en"])
        try await store.createThread(thread, messages: [question])
        let run = Run(
            id: ObjectKind.run.newID(), createdAt: 1_700_000_006, threadID: thread.id, assistantID: assistant.id,
            model: "gpt-4o", instructions: "Answer from the files.", tools: assistant.tools, metadata: ["trace": "t1"])
        try await store.createRun(run, additionalMessages: [])
        let answer = Message(
            id: ObjectKind.message.newID(), createdAt: 1_700_000_008, threadID: thread.id, role: .assistant,
            content: [.text(MessageText(value: "On the Severn."))], assistantID: assistant.id, runID: run.id)
        let steps = [
            RunStep(
                id: ObjectKind.step.newID(), createdAt: 1_700_000_007, assistantID: assistant.id, threadID: thread.id, runID: run.id,
                status: .completed,
                details: .toolCalls([ToolCall(
                    id: "call_1", kind: .function(name: "depth", arguments: "{\"river\":\"Severn\"}", output: "{\"m\":3}"),
                    transcript: .init(arguments: "{\"river\":\"Severn\"}", output: "{\"m\":3}"))])),
            RunStep(
                id: ObjectKind.step.newID(), createdAt: 1_700_000_008, assistantID: assistant.id, threadID: thread.id, runID: run.id,
                status: .completed, details: .messageCreation(messageID: answer.id)),
        ]
        _ = try await store.updateRun(id: run.id, threadID: thread.id, saving: [answer], steps) { run in
            run.status = .completed
            run.startedAt = 1_700_000_006
            run.completedAt = 1_700_000_009
            run.usage = Usage(promptTokens: 10, completionTokens: 5)
        }

        // A run the server was executing when it stopped.
        let other = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1_700_000_010)
        try await store.createThread(other, messages: [])
        let interrupted = Run(
            id: ObjectKind.run.newID(), createdAt: 1_700_000_011, threadID: other.id, assistantID: assistant.id, model: "gpt-4o",
            instructions: "")
        try await store.createRun(interrupted, additionalMessages: [])
        _ = try await store.updateRun(id: interrupted.id, threadID: other.id) { $0.status = .inProgress }

        let chunks = try SQLiteChunkStorage(path: layout.searchIndexPath)
        // Searched before the store is read: a search counts as activity on the store.
        let search = try await vectorStores.search(created.id, query)
        return Deployment(
            assistants: try await store.listAssistants(ListQuery(limit: 100)).data, deletedAssistantID: deleted.id,
            thread: try #require(try await store.thread(id: thread.id)), messages: try await store.allMessages(threadID: thread.id),
            run: try #require(try await store.run(id: run.id, threadID: thread.id)), steps: try await store.allSteps(runID: run.id),
            interruptedRun: try #require(try await store.run(id: interrupted.id, threadID: other.id)),
            files: try await store.listFiles(purpose: nil, ListQuery(limit: 100)).data, bigFile: bigFile, bigBytes: bigBytes,
            vectorStore: try #require(try await store.vectorStore(id: created.id)),
            vectorStoreFiles: try await store.listVectorStoreFiles(storeID: created.id, batchID: nil, status: nil, ListQuery(limit: 100)).data,
            chunkTexts: try await texts(chunks, created.id), embeddings: try await chunks.loadEmbeddings(storeID: created.id).rows.map(\.vector),
            search: search)
    }

    static func check(_ source: Deployment, in store: PostgresStore, provider: OpenAICompatibleProvider, staging: URL) async throws {
        #expect(try await store.listAssistants(ListQuery(limit: 100)).data == source.assistants)
        for assistant in source.assistants { #expect(try await store.assistant(id: assistant.id) == assistant) }
        // A deleted object is still a cursor of its list.
        let afterDeleted = try await store.listAssistants(ListQuery(limit: 100, order: .asc, after: source.deletedAssistantID))
        #expect(afterDeleted.data.map(\.id) == source.assistants.map(\.id))
        #expect(try await store.thread(id: source.thread.id) == source.thread)
        #expect(try await store.allMessages(threadID: source.thread.id) == source.messages)
        #expect(try await store.run(id: source.run.id, threadID: source.thread.id) == source.run)
        #expect(try await store.allSteps(runID: source.run.id) == source.steps)
        #expect(try await store.listFiles(purpose: nil, ListQuery(limit: 100)).data == source.files)
        let blobs = try PostgresBlobStore(store: store, stagingBase: staging.appendingPathComponent("check-staging"))
        #expect(try await blobs.read(source.bigFile.id) == source.bigBytes)
        #expect(try await store.vectorStore(id: source.vectorStore.id) == source.vectorStore)
        #expect(source.vectorStore.fileCounts.completed == 1)
        #expect(try await store.listVectorStoreFiles(
            storeID: source.vectorStore.id, batchID: nil, status: nil, ListQuery(limit: 100)).data == source.vectorStoreFiles)

        let chunks = store.makeChunkStorage()
        #expect(try await chunks.versions(of: [source.vectorStore.id])[source.vectorStore.id, default: 0] > 0)
        #expect(try await texts(chunks, source.vectorStore.id) == source.chunkTexts)
        #expect(source.chunkTexts.count > 1)
        #expect(try await chunks.loadEmbeddings(storeID: source.vectorStore.id).rows.map(\.vector) == source.embeddings)
        #expect(source.embeddings.count == source.chunkTexts.count)
        let vectorStores = VectorStores(
            store: store, blobs: blobs, index: SearchIndex(storage: chunks), embeddings: .init(provider: provider, model: "embedder"))
        let search = try await vectorStores.search(source.vectorStore.id, query)
        #expect(!search.data.isEmpty)
        #expect(search == source.search)

        // The run left in progress is ended by the first node's recovery, as a restart ends it.
        #expect(source.interruptedRun.status == .inProgress)
        #expect(try await store.run(id: source.interruptedRun.id, threadID: source.interruptedRun.threadID) == source.interruptedRun)
        let dispatch = try await PostgresWorkDispatch(store: store, configuration: .init(nodeID: "first"))
        let recovered = try await dispatch.recover()
        #expect(recovered.interrupted.map(\.run.runID) == [source.interruptedRun.id])
    }

    /// A store's chunk texts in the order they were added.
    static func texts(_ storage: any ChunkStorage, _ storeID: String) async throws -> [String] {
        let collected = Collected()
        _ = try await storage.loadChunks(storeID: storeID) { batch in collected.add(batch) }
        return collected.chunks.sorted { $0.id < $1.id }.map(\.text)
    }

    final class Collected: Sendable {
        private let stored = Mutex<[StoredChunk]>([])
        func add(_ batch: [StoredChunk]) { stored.withLock { $0 += batch } }
        var chunks: [StoredChunk] { stored.withLock { $0 } }
    }
}

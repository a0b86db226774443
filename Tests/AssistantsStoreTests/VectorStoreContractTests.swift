import AssistantsAPI
import AssistantsStore
import Foundation
import PostgresTestSupport
import Testing

/// Vector stores, their files and batches, run against each backend: counts derived from the files,
/// per-store file keys, cancellation, expiry and the thread's store.
@Suite(.closesStores) struct VectorStoreContractTests {
    func vectorStore(_ store: any AssistantsStore, files count: Int = 0) async throws -> (VectorStore, [VectorStoreFile]) {
        let vectorStore = VectorStore(id: ObjectKind.vectorStore.newID(), createdAt: 1, lastActiveAt: 1)
        let files = (0..<count).map { VectorStoreFile(id: "file-\($0)", createdAt: 1, vectorStoreID: vectorStore.id) }
        try await store.createVectorStore(vectorStore, files: files)
        return (vectorStore, files)
    }

    @Test(arguments: StoreBackend.allCases)
    func countsStayExactWhileFilesFinishConcurrently(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (vectorStore, files) = try await vectorStore(store, files: 40)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, file) in files.enumerated() {
                group.addTask {
                    _ = try await store.updateVectorStoreFile(id: file.id, storeID: vectorStore.id) {
                        $0.status = index % 4 == 0 ? .failed : .completed
                        $0.usageBytes = index % 4 == 0 ? 0 : 10
                    }
                }
            }
            group.addTask {
                for _ in 0..<20 {
                    let counts = try #require(try await store.vectorStore(id: vectorStore.id)).fileCounts
                    #expect(counts.total == 40)
                    #expect(counts.inProgress + counts.completed + counts.failed == 40)
                }
            }
            try await group.waitForAll()
        }
        let done = try #require(try await store.vectorStore(id: vectorStore.id))
        #expect(done.fileCounts == FileCounts(completed: 30, failed: 10))
        #expect(done.usageBytes == 300)
        let uncounted = try #require(try await store.vectorStore(id: vectorStore.id, counted: false))
        #expect(uncounted.id == vectorStore.id && uncounted.fileCounts.total == 0 && uncounted.status != .expired)
        #expect(done.status == .completed)
        let failed = try await store.listVectorStoreFiles(storeID: vectorStore.id, batchID: nil, status: .failed, ListQuery(limit: 100))
        #expect(failed.data.count == 10)
    }

    @Test(arguments: StoreBackend.allCases)
    func aFileIsKeptPerStore(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (first, _) = try await vectorStore(store, files: 1)
        let (second, _) = try await vectorStore(store, files: 1)
        #expect(try await store.vectorStoreIDs(containingFile: "file-0") == [first.id, second.id])
        let both = try await store.vectorStoreFiles(ids: ["file-0", "file-9"], storeIDs: [first.id, second.id])
        #expect(Set(both.map(\.vectorStoreID)) == [first.id, second.id] && both.allSatisfy { $0.id == "file-0" })
        #expect(try await store.vectorStoreFiles(ids: ["file-0"], storeIDs: [second.id]).map(\.vectorStoreID) == [second.id])
        #expect(try await store.vectorStoreFiles(ids: [], storeIDs: [second.id]).isEmpty)
        #expect(try await store.deleteVectorStoreFile(id: "file-0", storeID: first.id))
        #expect(try await store.vectorStoreFile(id: "file-0", storeID: first.id) == nil)
        #expect(try await store.vectorStoreFile(id: "file-0", storeID: second.id) != nil)
        #expect(try await store.vectorStore(id: first.id)?.fileCounts.total == 0)

        // Added again, it starts over, in progress.
        try await store.addVectorStoreFiles([VectorStoreFile(id: "file-0", createdAt: 2, vectorStoreID: first.id)], batch: nil)
        #expect(try await store.vectorStore(id: first.id)?.status == .inProgress)
        #expect(Set(try await store.pendingVectorStoreFiles(limit: 10).map(\.vectorStoreID)) == [first.id, second.id])

        #expect(try await store.deleteVectorStore(id: second.id))
        #expect(try await store.vectorStore(id: second.id) == nil)
        #expect(try await store.pendingVectorStoreFiles(limit: 10).map(\.vectorStoreID) == [first.id])
        await #expect(throws: StoreError.notFound(.vectorStore, id: second.id)) {
            try await store.addVectorStoreFiles([VectorStoreFile(id: "file-9", createdAt: 2, vectorStoreID: second.id)], batch: nil)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func cancellingABatchCancelsWhatIsStillInProgress(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let (vectorStore, _) = try await vectorStore(store)
        let batch = VectorStoreFileBatch(id: ObjectKind.fileBatch.newID(), createdAt: 1, vectorStoreID: vectorStore.id)
        let files = (0..<3).map { VectorStoreFile(id: "file-\($0)", createdAt: 1, vectorStoreID: vectorStore.id) }
        try await store.addVectorStoreFiles(files, batch: batch)
        _ = try await store.updateVectorStoreFile(id: "file-0", storeID: vectorStore.id) { $0.status = .completed }
        #expect(try await store.fileBatch(id: batch.id, storeID: vectorStore.id)?.fileCounts == FileCounts(inProgress: 2, completed: 1))

        let cancelled = try #require(try await store.cancelFileBatch(id: batch.id, storeID: vectorStore.id))
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.fileCounts == FileCounts(completed: 1, cancelled: 2))
        #expect(try await store.pendingVectorStoreFiles(limit: 10).isEmpty)
        #expect(try await store.cancelFileBatch(id: batch.id, storeID: "vs_other") == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func storesPastTheirExpiryExpireOnce(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let expiring = VectorStore(id: ObjectKind.vectorStore.newID(), createdAt: 1, expiresAfter: .init(days: 1), lastActiveAt: 1)
        let lasting = VectorStore(id: ObjectKind.vectorStore.newID(), createdAt: 1, lastActiveAt: 1)
        try await store.createVectorStore(expiring, files: [])
        try await store.createVectorStore(lasting, files: [])
        #expect(try await store.expireVectorStores(now: 86_400) == [])
        #expect(try await store.expireVectorStores(now: 86_401) == [expiring.id])
        #expect(try await store.expireVectorStores(now: 999_999) == [])
        #expect(try await store.vectorStore(id: expiring.id)?.status == .expired)
        #expect(try await store.vectorStore(id: lasting.id)?.status == .completed)
    }

    @Test(arguments: StoreBackend.allCases)
    func aThreadGetsOneStore(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThread(thread, messages: [])
        let candidates = (0..<4).map { _ in VectorStore(id: ObjectKind.vectorStore.newID(), createdAt: 1, expiresAfter: .threadDefault) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, candidate) in candidates.enumerated() {
                let message = Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: thread.id, role: .user, content: [])
                let attachments = ThreadAttachments(fileIDs: ["file-\(index)"], newStore: candidate, createdAt: 1)
                group.addTask { try await store.appendMessage(message, attaching: attachments) }
            }
            try await group.waitForAll()
        }
        let id = try #require(try await store.thread(id: thread.id)?.toolResources.fileSearch?.vectorStoreIDs.first)
        #expect(try await store.listVectorStores(ListQuery(limit: 100)).data.map(\.id) == [id])
        #expect(Set(try await store.allVectorStoreFiles(storeIDs: [id]).map(\.id)) == ["file-0", "file-1", "file-2", "file-3"])
    }

    @Test(arguments: StoreBackend.allCases)
    func attachmentsOfARefusedRequestAreNotAdded(_ backend: StoreBackend) async throws {
        let store = try await backend.make()
        let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: 1)
        try await store.createThread(thread, messages: [])
        let active = Run(id: ObjectKind.run.newID(), createdAt: 1, threadID: thread.id, assistantID: "asst_1", model: "m", instructions: "")
        try await store.createRun(active, additionalMessages: [])
        let attachments = ThreadAttachments(
            fileIDs: ["file-0"], newStore: VectorStore(id: ObjectKind.vectorStore.newID(), createdAt: 1, expiresAfter: .threadDefault), createdAt: 1)
        let message = Message(id: ObjectKind.message.newID(), createdAt: 1, threadID: thread.id, role: .user, content: [])
        await #expect(throws: StoreError.threadLocked(threadID: thread.id, runID: active.id)) {
            try await store.appendMessage(message, attaching: attachments)
        }
        let second = Run(id: ObjectKind.run.newID(), createdAt: 1, threadID: thread.id, assistantID: "asst_1", model: "m", instructions: "")
        await #expect(throws: StoreError.threadHasActiveRun(threadID: thread.id, runID: active.id)) {
            try await store.createRun(second, additionalMessages: [message], attaching: attachments)
        }
        #expect(try await store.listVectorStores(ListQuery()).data.isEmpty)
        #expect(try await store.thread(id: thread.id)?.toolResources.fileSearch == nil)
        #expect(try await store.vectorStoreIDs(containingFile: "file-0").isEmpty)
    }
}

import AssistantsAPI

/// Everything the server keeps, in domain-sized operations. Implementations make each call atomic: a
/// failed call changes nothing. Lists page by insertion order; deleted objects stay valid as cursors so
/// that a client deleting items while it pages through them still sees every item.
public protocol AssistantsStore: VectorStoreRecords, ResponseRecords, ContainerRecords, ProjectRecords {
    // MARK: Assistants
    func createAssistant(_ assistant: Assistant) async throws
    func assistant(id: String) async throws -> Assistant?
    func listAssistants(_ query: ListQuery) async throws -> ListPage<Assistant>
    /// Applies `change` to the stored assistant; nil when there is none.
    func updateAssistant(id: String, _ change: @escaping @Sendable (inout Assistant) throws -> Void) async throws -> Assistant?
    func deleteAssistant(id: String) async throws -> Bool

    // MARK: Threads
    /// Creates the thread together with its first messages.
    func createThread(_ thread: AssistantThread, messages: [Message]) async throws
    func thread(id: String) async throws -> AssistantThread?
    /// The threads, paged like every list (newest first unless `query` asks otherwise). The private threads
    /// of responses are left out: they belong to their responses, and no thread route may reach them.
    func listThreads(_ query: ListQuery) async throws -> ListPage<AssistantThread>
    func updateThread(id: String, _ change: @escaping @Sendable (inout AssistantThread) throws -> Void) async throws -> AssistantThread?
    /// Deletes the thread and everything in it.
    func deleteThread(id: String) async throws -> Bool

    // MARK: Messages
    /// Appends a message to its thread, with the files it attaches for `file_search` added to the thread's
    /// vector store, in one transaction; throws `StoreError.notFound` when the thread does not exist and
    /// `StoreError.threadLocked` while a run on it is active.
    func appendMessage(_ message: Message, attaching: ThreadAttachments?) async throws
    /// Every message of a thread, oldest first.
    func allMessages(threadID: String) async throws -> [Message]
    /// The messages the run wrote on its thread, oldest first. Reads the run's own messages only, however
    /// long its thread.
    func runMessages(runID: String, threadID: String) async throws -> [Message]
    func message(id: String, threadID: String) async throws -> Message?
    func listMessages(threadID: String, runID: String?, _ query: ListQuery) async throws -> ListPage<Message>
    func updateMessage(id: String, threadID: String, _ change: @escaping @Sendable (inout Message) throws -> Void) async throws -> Message?
    func deleteMessage(id: String, threadID: String) async throws -> Bool

    // MARK: Runs
    /// Stores a run, after the messages to add to its thread first and with the files they attach for
    /// `file_search` added to the thread's vector store, in one transaction; throws
    /// `StoreError.threadHasActiveRun` when another run on the thread is not yet terminal, and
    /// `StoreError.tooManyActiveRuns` when the run's project has as many active runs as its
    /// `maxActiveRuns` (counted in the same transaction, so that concurrent creations on any node cannot
    /// pass the limit together).
    func createRun(_ run: Run, additionalMessages: [Message], attaching: ThreadAttachments?) async throws
    /// A new thread, its first messages (with the files they attach for `file_search` added to the thread's
    /// vector store) and a run on it, in one transaction. Returns the thread as stored: naming the store
    /// made for the attachments, if one was. Throws `StoreError.tooManyActiveRuns` as `createRun` does.
    @discardableResult
    func createThreadAndRun(_ thread: AssistantThread, messages: [Message], run: Run, attaching: ThreadAttachments?) async throws -> AssistantThread
    func run(id: String, threadID: String) async throws -> Run?
    func listRuns(threadID: String, _ query: ListQuery) async throws -> ListPage<Run>
    /// Applies `change` to the run and saves the run's `messages` and `steps` with it, in one transaction;
    /// nil when there is no such run. The thread lock does not apply to the run's own messages.
    /// `change` may be applied more than once, each time to the run as stored then (when another writer
    /// changed it meanwhile): it must depend only on the run it is given. What it throws is rethrown, and
    /// nothing is saved.
    func updateRun(
        id: String, threadID: String, saving messages: [Message], _ steps: [RunStep],
        _ change: @escaping @Sendable (inout Run) throws -> Void
    ) async throws -> Run?
    /// Inserts or replaces messages and steps a run writes as it goes, in one transaction.
    func saveRunProgress(messages: [Message], steps: [RunStep]) async throws
    /// Runs not in a terminal state, oldest first.
    func activeRuns() async throws -> [Run]

    // MARK: Run steps
    func step(id: String, runID: String) async throws -> RunStep?
    func listSteps(runID: String, _ query: ListQuery) async throws -> ListPage<RunStep>
    /// Every step of a run, oldest first.
    func allSteps(runID: String) async throws -> [RunStep]

    // MARK: Files
    /// Stores the file's record in the task's project, within the project's `storageBytes` (its live files
    /// and this one) and `uploadBytesPerDay` (what it added on the file's `created_at` day, this one
    /// included), checked in the same transaction; throws `StoreError.quotaExceeded` otherwise.
    func createFile(_ file: FileObject) async throws
    func file(id: String) async throws -> FileObject?
    func listFiles(purpose: String?, _ query: ListQuery) async throws -> ListPage<FileObject>
    /// Deletes the file and takes it out of every vector store.
    func deleteFile(id: String) async throws -> Bool
    /// The ids among `ids` that name no stored file.
    func missingFiles(among ids: [String]) async throws -> [String]
    /// The ids of the files whose `expires_at` is at or before `now`, oldest first. Deleting them is the
    /// caller's job, through `deleteFile`, as for any other deletion.
    func expiredFiles(now: Int) async throws -> [String]
}

/// What a store reports about a request it cannot carry out.
public enum StoreError: Error, Equatable, Sendable {
    /// The object a write depends on does not exist (e.g. a message's thread).
    case notFound(ObjectKind, id: String)
    /// A list cursor (`after` or `before`) names no object of that list.
    case unknownCursor(param: String, id: String)
    /// A run cannot start while another run on its thread is active.
    case threadHasActiveRun(threadID: String, runID: String)
    /// Messages cannot be added while a run on the thread is active.
    case threadLocked(threadID: String, runID: String)
    /// Files cannot be added to a container that has expired.
    case containerExpired(id: String)
    /// A project's name must be unique.
    case nameTaken(ObjectKind, name: String)
    /// A run cannot start while its project has `limit` active runs.
    case tooManyActiveRuns(limit: Int)
    /// A file would take its project past a quota of `limit` bytes, of which `used` are taken.
    case quotaExceeded(FileQuota, limit: Int, used: Int)
}

/// The byte quotas of a project's files.
public enum FileQuota: String, Sendable {
    /// What its live files hold together.
    case storage
    /// What it adds in a day.
    case uploads
}

/// Files that messages attach for `file_search`. They go into the thread's vector store (the first its
/// `tool_resources` name, else `newStore`, which is then created and named there) in the same transaction
/// as the messages, so a request the store refuses, e.g. by the thread lock, leaves no file behind.
public struct ThreadAttachments: Sendable, Equatable {
    public var fileIDs: [String]
    /// The store made for the thread when it names none.
    public var newStore: VectorStore
    /// When the files are added.
    public var createdAt: Int

    public init(fileIDs: [String], newStore: VectorStore, createdAt: Int) {
        self.fileIDs = fileIDs
        self.newStore = newStore
        self.createdAt = createdAt
    }
}

extension AssistantsStore {
    /// Stores the record of a file whose contents are in `blobs` under its id already; when the store
    /// refuses it (its project's quota), the contents are deleted, so that nothing is left of it.
    public func createFile(_ file: FileObject, contentsIn blobs: any BlobStore) async throws {
        do {
            try await createFile(file)
        } catch {
            try? await blobs.delete(id: file.id)
            throw error
        }
    }

    /// The run's messages still being written (`in_progress`), oldest first: what ending the run closes.
    public func openMessages(runID: String, threadID: String) async throws -> [Message] {
        try await runMessages(runID: runID, threadID: threadID).filter { $0.status == .inProgress }
    }

    public func appendMessage(_ message: Message) async throws {
        try await appendMessage(message, attaching: nil)
    }

    public func createRun(_ run: Run, additionalMessages: [Message]) async throws {
        try await createRun(run, additionalMessages: additionalMessages, attaching: nil)
    }

    @discardableResult
    public func createThreadAndRun(_ thread: AssistantThread, messages: [Message], run: Run) async throws -> AssistantThread {
        try await createThreadAndRun(thread, messages: messages, run: run, attaching: nil)
    }

    public func updateRun(id: String, threadID: String, _ change: @escaping @Sendable (inout Run) throws -> Void) async throws -> Run? {
        try await updateRun(id: id, threadID: threadID, saving: [], [], change)
    }
}

extension ListPage where Item: Identifiable, Item.ID == String {
    /// A page of items with the envelope's ids filled in.
    public init(items: [Item], hasMore: Bool) {
        self.init(data: items, firstID: items.first?.id, lastID: items.last?.id, hasMore: hasMore)
    }
}

extension Assistant: Identifiable {}
extension AssistantThread: Identifiable {}
extension Message: Identifiable {}
extension FileObject: Identifiable {}
extension Run: Identifiable {}
extension RunStep: Identifiable {}

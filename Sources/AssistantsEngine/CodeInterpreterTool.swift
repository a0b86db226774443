import AssistantsAPI
import AssistantsStore
import CodeInterpreter
import Foundation

/// `code_interpreter`: the model's code runs in the thread's sandboxed Python session. The files of the
/// assistant's and thread's `tool_resources` and of `code_interpreter` attachments are under /mnt/data;
/// files the code writes there and figures it draws become files (`assistants_output`). A response's code
/// runs in its container instead: the session is the container's, and so are the files, in and out.
public struct CodeInterpreterTool: BuiltInTool {
    let service: CodeInterpreterService
    let store: any AssistantsStore
    let blobs: any BlobStore
    let placement: any SessionPlacement
    let clock: any WallClock
    let containers: Containers

    /// What the model reads for a figure the code drew, and for code that printed nothing.
    static let imageNote = "[An image was produced; it is shown to the user.]"
    static let noOutput = "(no output)"
    /// What the model is told when a thread's session had to start afresh because its node stopped.
    static let sessionLostNote =
        "Note: this thread's earlier Python session was lost when its server stopped; variables and files from before are gone."

    /// `containers` (on the same store and blobs by default) are where responses' code runs.
    public init(
        service: CodeInterpreterService, store: any AssistantsStore, blobs: any BlobStore, containers: Containers? = nil,
        placement: any SessionPlacement = LocalSessionPlacement(), clock: any WallClock = .system
    ) {
        self.containers = containers ?? Containers(store: store, blobs: blobs, clock: clock)
        self.clock = clock
        self.service = service
        self.store = store
        self.blobs = blobs
        self.placement = placement
    }

    public var name: String { "code_interpreter" }
    public var definition: FunctionDefinition { ReservedTools.codeInterpreter }

    public func call(arguments: String, context: ToolCallContext) async throws -> BuiltInToolResult {
        // Some models send the code itself rather than `{"code": ...}`.
        let code = JSONValue.parse(arguments)?["code"]?.stringValue ?? arguments
        let result: ExecutionResult
        let workspace: Workspace
        var sessionLost = false
        do {
            workspace = try await self.workspace(for: context.run)
            // Placed before it starts, so that the session's next runs come to this node.
            if !service.hasSession(workspace.key) { sessionLost = try await placement.sessionStarting(threadID: workspace.key) }
            result = try await service.execute(code, session: workspace.key, files: workspace.files)
        } catch {
            let message = "Code execution is not available: \((error as? APIError)?.message ?? "\(error)")"
            return BuiltInToolResult(call: .codeInterpreter(.init(input: code, outputs: [.logs(message)])), output: message)
        }
        var outputs: [CodeInterpreterOutput] = result.output.isEmpty ? [] : [.logs(result.output)]
        var produced: [String: String] = [:]
        var notes: [String] = []
        for image in result.images {
            outputs.append(.image(fileID: try await workspace.keep(image, nil)))
            notes.append(Self.imageNote)
        }
        for file in result.files {
            let id = try await workspace.keep(file.contents, file.name)
            produced["/mnt/data/\(file.name)"] = id
            notes.append("[File written: sandbox:/mnt/data/\(file.name)]")
        }
        if sessionLost { notes.insert(Self.sessionLostNote, at: 0) }
        let output = ([result.output.isEmpty && notes.isEmpty ? Self.noOutput : result.output] + notes).filter { !$0.isEmpty }
        return BuiltInToolResult(
            call: .codeInterpreter(.init(input: code, outputs: outputs)), output: output.joined(separator: "\n"), files: produced,
            containerID: workspace.containerID)
    }

    /// Where a call's code runs: the session it runs in, the files it finds in /mnt/data, and where what it
    /// makes is kept.
    private struct Workspace {
        var key: String
        var files: [SandboxFile]
        /// Keeps a file the code wrote (by its name) or a figure it drew (no name); returns the id it has.
        var keep: @Sendable (Data, String?) async throws -> String
        /// The container, for a response's code.
        var containerID: String? = nil
    }

    /// A run's code runs in its thread's session with the files of its tool resources and attachments, and
    /// what it makes becomes files; a response's runs in its container's session, with the container's
    /// files, and what it makes becomes the container's files. Throws when the container cannot be used.
    private func workspace(for run: Run) async throws -> Workspace {
        guard let responseID = run.responseID else {
            return Workspace(key: run.threadID, files: try await inputFiles(for: run), keep: { data, name in
                try await save(data, filename: name.map { ($0 as NSString).lastPathComponent } ?? "image.png").id
            })
        }
        guard let containerID = try await store.response(id: responseID)?.record.response.containerID else {
            throw APIError.invalidRequest("The response has no container for code.")
        }
        let container = try await containers.retrieve(containerID)
        guard container.status == .running else { throw APIError.containerExpired(id: containerID) }
        let containers = containers
        return Workspace(key: containerID, files: try await containers.sandboxFiles(containerID: containerID), keep: { data, name in
            try await containers.saveOutput(data, name: name, containerID: containerID).id
        }, containerID: containerID)
    }

    /// The Python session of a thread, or of a container, goes with it: its variables and files.
    /// On another node, that node ends it (`reconcile`).
    public func ownerDeleted(_ id: String) async {
        await service.endSession(id)
        do {
            try await placement.threadDeleted(id)
        } catch {
            // The thread or container is gone: the node holding its session sees that too when it reconciles.
        }
    }

    /// Ends the sessions here of threads deleted on other nodes.
    public func reconcile() async {
        let held = service.sessionKeys
        guard !held.isEmpty else { return }
        // Unreachable database: tried again on the next poll.
        guard let ended = try? await placement.sessionsToEnd(among: held) else { return }
        for threadID in ended { await service.endSession(threadID) }
    }

    /// The files the run's code may use, under their filenames.
    private func inputFiles(for run: Run) async throws -> [SandboxFile] {
        var ids = try await store.assistant(id: run.assistantID)?.toolResources.codeInterpreter?.fileIDs ?? []
        ids += try await store.thread(id: run.threadID)?.toolResources.codeInterpreter?.fileIDs ?? []
        for message in try await store.allMessages(threadID: run.threadID) {
            ids += message.attachments.filter { $0.tools.contains(.codeInterpreter) }.map(\.fileID)
        }
        var files: [SandboxFile] = []
        var seen = Set<String>()
        for id in ids where seen.insert(id).inserted {
            // Files reach the sandbox's /mnt/data (a tmpfs) inside a message to its runner, so they are read whole.
            guard let file = try await store.file(id: id), let contents = try await blobs.read(id) else { continue }
            files.append(SandboxFile(name: Self.sandboxName(file.filename, id: id), contents: contents))
        }
        return files
    }

    /// An uploaded file's name as a plain name under /mnt/data: a client chose it, so no directories and
    /// nothing that walks out of /mnt/data; the file id where nothing usable is left.
    static func sandboxName(_ filename: String, id: String) -> String {
        let name = (filename as NSString).lastPathComponent.trimmingCharacters(in: .whitespaces)
        return name.isEmpty || name == "." || name == ".." || name == "/" ? id : name
    }

    private func save(_ data: Data, filename: String) async throws -> FileObject {
        let file = FileObject(
            id: ObjectKind.file.newID(), bytes: data.count, createdAt: clock.now(), filename: filename, purpose: "assistants_output")
        try await blobs.write(data, as: file.id)
        try await store.createFile(file, contentsIn: blobs)
        return file
    }
}

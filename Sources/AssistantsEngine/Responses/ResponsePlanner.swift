import AssistantsAPI
import AssistantsStore

/// Turns a create request into what `createResponse` stores: the response row, its backing run, its
/// private thread (none in a conversation, whose thread it runs on) and its input items under fresh ids.
/// Refuses, naming the parameter, what this server does not do yet, so that nothing a client asks for is
/// silently ignored.
struct ResponsePlanner {
    let store: any AssistantsStore
    let blobs: any BlobStore
    let vectorStores: VectorStores
    let containers: Containers
    /// The models' context window, which the input must fit under `truncation: disabled`.
    let contextWindow: Int?

    struct Plan {
        var record: ResponseRecord
        var run: Run
        /// The thread the response makes for itself; nil in a conversation, whose thread it runs on.
        var privateThread: AssistantThread?
        var input: [StoredItem]
        /// The files kept for the input's inline file data.
        var inlineFiles: [String]
    }

    func plan(_ request: CreateResponseRequest, now: Int) async throws -> Plan {
        try refuseUnsupported(request)
        let context = request.context
        var previousResponse: StoredResponse?
        if let previous = context.previousResponseID {
            // An unstored response ends with its run; it cannot be continued, as on OpenAI.
            guard let stored = try await store.response(id: previous), !stored.record.ephemeral else {
                throw APIError.previousResponseNotFound(previous)
            }
            previousResponse = stored
        }
        var items = try await Self.resolvingReferences(context.input?.items ?? [], store: store)
        try Self.refuseUnsupported(items, param: "input")
        let files = InputFiles(store: store, blobs: blobs)
        let inline = try await files.check(items, param: "input")
        try await checkVectorStores(context.tools)
        // Before anything is stored (inline files, a container).
        try await InputTokens(store: store, blobs: blobs, contextWindow: contextWindow).refuseOversized(context, input: items, inline: inline)

        let threadID: String
        let privateThread: AssistantThread?
        if let conversationID = context.conversationID {
            // A conversation is a thread; a response's private thread is not one anybody else may continue.
            guard try await store.thread(id: conversationID) != nil, !(try await store.isPrivateThread(conversationID)) else {
                throw APIError.notFound(.conversation, id: conversationID)
            }
            (threadID, privateThread) = (conversationID, nil)
        } else {
            let thread = AssistantThread(id: ObjectKind.thread.newID(), createdAt: now)
            (threadID, privateThread) = (thread.id, thread)
        }
        let responseID = ObjectKind.response.newID()
        let runID = ObjectKind.run.newID()
        // Last of the checks: `auto` may make a container.
        let containerID = try await container(
            for: context.tools, previous: previousResponse?.record.response, conversationID: context.conversationID, responseID: responseID)
        let toolChoice = context.toolChoice ?? .auto
        let text = context.text ?? .init()
        var response = ModelResponse(
            id: responseID, createdAt: now, status: .queued, model: request.model, instructions: context.instructions,
            parallelToolCalls: context.parallelToolCalls ?? true, previousResponseID: context.previousResponseID,
            conversationID: context.conversationID, tools: context.tools,
            toolChoice: toolChoice, temperature: request.temperature, topP: request.topP, maxOutputTokens: request.maxOutputTokens,
            maxToolCalls: request.maxToolCalls, metadata: request.metadata ?? [:], text: text,
            truncation: context.truncation ?? .disabled, reasoningEffort: request.reasoningEffort, store: request.store,
            background: request.background, user: request.user, safetyIdentifier: request.safetyIdentifier,
            promptCacheKey: request.promptCacheKey)
        response.include = request.include
        response.containerID = containerID
        // The file_search tool's stores and filters are read from the response when the model searches.
        let functions: [AssistantTool] = context.tools.compactMap { tool in
            switch tool {
            case .function(let function): .function(function.definition)
            case .fileSearch(let search):
                .fileSearch(FileSearchToolOptions(
                    maxNumResults: search.maxNumResults,
                    rankingOptions: FileSearchRankingOptions(scoreThreshold: search.scoreThreshold)))
            case .codeInterpreter: .codeInterpreter
            }
        }
        // Responses do not expire while they wait: they never wait for the client.
        var run = Run(
            id: runID, createdAt: now, threadID: threadID, assistantID: "", model: request.model,
            instructions: context.instructions ?? "", tools: functions, metadata: request.metadata ?? [:],
            temperature: request.temperature, topP: request.topP, maxCompletionTokens: request.maxOutputTokens,
            toolChoice: toolChoice.runToolChoice, parallelToolCalls: context.parallelToolCalls ?? true,
            responseFormat: text.format, reasoningEffort: request.reasoningEffort)
        run.responseID = responseID
        // What its execution makes, and the tokens it uses, are its project's.
        run.project = ProjectScope.current
        // Kept once the request has passed every check; the input then names them by file id.
        let kept = try await files.keep(inline, in: items, now: now)
        items = kept.items
        let input = items.map { item in
            StoredItem(item: item.withNewID(), threadID: threadID, runID: runID, direction: .input, createdAt: now)
        }
        let record = ResponseRecord(response: response, runID: runID, threadID: threadID, ephemeral: !request.store)
        return Plan(record: record, run: run, privateThread: privateThread, input: input, inlineFiles: kept.fileIDs)
    }

    /// The request features that have no implementation here yet: a 400 naming each, never a silent no.
    private func refuseUnsupported(_ request: CreateResponseRequest) throws {
        for type in ["file_search", "code_interpreter"] {
            let given = request.context.tools.indices.filter { request.context.tools[$0].type == type }
            if given.count > 1 {
                throw APIError.invalidRequest("Only one \(type) tool may be given.", param: "tools[\(given[1])]", code: "invalid_value")
            }
        }
    }

    /// The input with each `item_reference` replaced by the item it names, from any thread (the output of
    /// an earlier response, an item of a conversation). A 404 names a reference to no live item.
    ///
    /// A search or code run given back without its results or outputs (as responses show them unless
    /// `include` asks: what a client keeping the history itself sends) gets them from the stored item of
    /// its id, if that is the same call, so that the model reads again what it read then.
    static func resolvingReferences(_ items: [ResponseItem], store: any AssistantsStore) async throws -> [ResponseItem] {
        var resolved: [ResponseItem] = []
        for (index, item) in items.enumerated() {
            switch item {
            case .itemReference(let id):
                guard let stored = try await store.item(id: id, threadID: nil) else {
                    var error = APIError.itemNotFound(id: id)
                    error.param = "input[\(index)].id"
                    throw error
                }
                resolved.append(stored.item)
            case .fileSearchCall(var call) where call.results == nil:
                if case .fileSearchCall(let stored)? = try await store.item(id: call.id, threadID: nil)?.item, stored.queries == call.queries {
                    call.results = stored.results
                }
                resolved.append(.fileSearchCall(call))
            case .codeInterpreterCall(var call) where call.outputs == nil:
                if case .codeInterpreterCall(let stored)? = try await store.item(id: call.id, threadID: nil)?.item, stored.code == call.code {
                    call.outputs = stored.outputs
                }
                resolved.append(.codeInterpreterCall(call))
            default:
                resolved.append(item)
            }
        }
        return resolved
    }

    /// The items this server cannot take yet, as a response's input or a conversation's items.
    static func refuseUnsupported(_ items: [ResponseItem], param: String) throws {
        for (index, item) in items.enumerated() {
            switch item {
            case .message(let message) where message.role == .system || message.role == .developer:
                // Instructions are read as text: a file there would not reach the model.
                for (part, content) in message.content.enumerated() where content.type == "input_file" {
                    throw APIError.unsupported(
                        "input_file parts are read in user messages only, not in \(message.role.rawValue) messages.",
                        param: "\(param)[\(index)].content[\(part)]")
                }
            case .message, .functionCall, .functionCallOutput, .fileSearchCall, .codeInterpreterCall, .itemReference:
                continue
            }
        }
    }

    /// The container the code_interpreter tool runs code in: the one it names, which must exist and be
    /// running; for `auto`, the previous response's while it runs (with `file_ids` copied in), else a new one
    /// with those files. The previous response is the one named by `previous_response_id`, or in a
    /// conversation the latest response there, so that its code finds the variables and files it left. Nil
    /// without the tool.
    private func container(
        for tools: [ResponseTool], previous: ModelResponse?, conversationID: String?, responseID: String
    ) async throws -> String? {
        for (index, tool) in tools.enumerated() {
            guard case .codeInterpreter(let interpreter) = tool else { continue }
            let param = "tools[\(index)].container"
            switch interpreter.container {
            case .id(let id):
                guard let container = try await store.container(id: id) else { throw APIError.notFound(.container, id: id) }
                guard container.status == .running else {
                    var error = APIError.containerExpired(id: id)
                    error.param = param
                    throw error
                }
                return id
            case .auto(let fileIDs, let memoryLimit):
                try await vectorStores.requireFiles(fileIDs) { "\(param).file_ids[\($0)]" }
                var latest = previous
                if latest == nil, let conversationID { latest = try await latestResponse(inConversation: conversationID) }
                if let reused = latest?.containerID, try await store.container(id: reused)?.status == .running {
                    for fileID in VectorStores.unique(fileIDs) { _ = try await containers.addStoredFile(fileID, containerID: reused) }
                    return reused
                }
                let request = CreateContainerRequest(name: "Container for \(responseID)", fileIDs: fileIDs, memoryLimit: memoryLimit ?? "1g")
                return try await containers.create(request, param: "\(param).file_ids").id
            }
        }
        return nil
    }

    /// The conversation's latest response, if its latest run is one (an Assistants run has no container).
    private func latestResponse(inConversation id: String) async throws -> ModelResponse? {
        guard let responseID = try await store.listRuns(threadID: id, ListQuery(limit: 1, order: .desc)).data.first?.responseID else { return nil }
        return try await store.response(id: responseID)?.record.response
    }

    /// The file_search tool's vector stores must exist and not have expired.
    private func checkVectorStores(_ tools: [ResponseTool]) async throws {
        for (index, tool) in tools.enumerated() {
            guard case .fileSearch(let search) = tool else { continue }
            for id in search.vectorStoreIDs {
                _ = try await vectorStores.usable(id, param: "tools[\(index)].vector_store_ids", counted: false)
            }
        }
    }
}

extension ResponseItem {
    /// The item under a fresh id of its kind: ids a client sends with its input are not kept (they may name
    /// items of other threads), `call_id`s are, since they pair calls with outputs.
    func withNewID() -> ResponseItem {
        switch self {
        case .message(var message):
            message.id = ObjectKind.message.newID()
            message.status = message.status ?? .completed
            return .message(message)
        case .functionCall(var call):
            call.id = ObjectKind.functionCall.newID()
            call.status = call.status ?? .completed
            return .functionCall(call)
        case .functionCallOutput(var output):
            output.id = ObjectKind.functionCallOutput.newID()
            output.status = output.status ?? .completed
            return .functionCallOutput(output)
        case .fileSearchCall(var call):
            call.id = ObjectKind.fileSearchCall.newID()
            return .fileSearchCall(call)
        case .codeInterpreterCall(var call):
            call.id = ObjectKind.codeInterpreterCall.newID()
            return .codeInterpreterCall(call)
        case .itemReference:
            return self
        }
    }
}

extension APIError {
    /// A request feature this server does not implement yet.
    static func unsupported(_ message: String, param: String) -> APIError {
        .invalidRequest(message, param: param, code: "unsupported_parameter")
    }

    /// The response a request continues does not exist, or was created with `store: false`.
    static func previousResponseNotFound(_ id: String) -> APIError {
        APIError.invalidRequest("Previous response with id '\(id)' not found.", param: "previous_response_id", code: "previous_response_not_found")
            .withStatus(404)
    }

    func withStatus(_ status: Int) -> APIError {
        var error = self
        error.status = status
        return error
    }
}

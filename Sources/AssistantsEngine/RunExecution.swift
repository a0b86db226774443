import AssistantsAPI
import AssistantsStore
import Foundation
import Logging
import ModelProviders

/// One stretch of a run, from `queued` until it ends or stops to wait for tool outputs: calls the model,
/// relays what it streams as events, records messages and steps, and runs built-in tools in between.
actor RunExecution {
    private let environment: EngineEnvironment
    private var run: Run
    private var modelCalls = 0
    /// A response's `max_tool_calls`: how many built-in calls it may run in all; nil for no limit.
    private var builtInCallLimit: Int?
    /// What a response's context must fit, from its `truncation`; nil for a run.
    private var window: ContextBuilder.Window?
    /// The container of a response's code, whose files its answer cites; nil for a run or without code.
    private var containerID: String?
    /// When a worker took the run up, and whether the model has streamed anything since.
    private let started = ContinuousClock.now
    private var streamedFirstToken = false

    init(environment: EngineEnvironment, run: Run) {
        self.environment = environment
        self.run = run
    }

    private var store: any AssistantsStore { environment.store }
    private var hub: any RunEventBus { environment.hub }

    /// Runs until the run ends or requires action. `interruption` says why, if the task is cancelled; nil
    /// when the process is stopping, which leaves the run as it is, for the next start to recover.
    func execute(interruption: @Sendable () -> RunFinalizer.Ending?) async {
        let ending: RunFinalizer.Ending?
        do {
            try await begin()
            while try await callModel() {}
            ending = run.status == .requiresAction ? nil : .completed
        } catch is CancellationError {
            ending = interruption()
        } catch let incomplete as RunIncomplete {
            ending = .incomplete(incomplete)
        } catch let error as ProviderError {
            ending = .failed(error.runError)
        } catch let error as RunError {
            ending = .failed(error)
        } catch is Superseded {
            // Cancelled or expired meanwhile: whoever did that ends it. Gone (its thread was deleted):
            // nobody will, so its streams are told and closed here.
            ending = nil
            let current = try? await store.run(id: run.id, threadID: run.threadID)
            if current == nil {
                let gone = ErrorEnvelope.Body(message: "The run no longer exists: its thread was deleted.", type: "invalid_request_error", param: nil, code: nil)
                hub.close(runID: run.id, with: .error(gone))
            }
        } catch {
            environment.logger.error("run failed", metadata: ["run_id": "\(run.id)", "error": "\(String(reflecting: error))"])
            let failure = RunError.serverError("The run failed because of an error in the server.")
            // Streams learn of an internal error as OpenAI reports one, before the run's own `failed` event.
            hub.publish(.error(.init(message: failure.message, type: "server_error", param: nil, code: failure.code)), runID: run.id)
            ending = .failed(failure)
        }
        guard let ending else { return }
        environment.metrics.runExecuted(until: ending.status, for: ContinuousClock.now - started)
        // A fresh task: the ending must be written even when this one was cancelled.
        let finalizer = environment.finalizer
        let (runID, threadID) = (run.id, run.threadID)
        await Task {
            do {
                try await finalizer.end(runID: runID, threadID: threadID, as: ending)
            } catch {
                self.environment.logger.error("ending a run failed", metadata: ["run_id": "\(runID)", "error": "\(error)"])
            }
        }.value
    }

    private func begin() async throws {
        try await requireLiveThreadStores()
        run = try await update { run in
            guard run.status == .queued else { throw Superseded() }
            run.status = .inProgress
            run.startedAt = run.startedAt ?? self.environment.clock.now()
        }
        hub.publish(.run(run), runID: run.id)
        if let responseID = run.responseID {
            let response = try await store.response(id: responseID)?.record.response
            builtInCallLimit = response?.maxToolCalls
            if run.tools.contains(where: { if case .codeInterpreter = $0 { true } else { false } }) { containerID = response?.containerID }
            if let tokens = environment.contextWindow, let response {
                window = ContextBuilder.Window(tokens: tokens, truncates: response.truncation == .auto)
            }
        }
    }

    /// A run with `file_search` fails, as OpenAI's do, once its thread's vector store has expired.
    private func requireLiveThreadStores() async throws {
        guard run.tools.contains(where: { if case .fileSearch = $0 { true } else { false } }) else { return }
        for id in try await store.thread(id: run.threadID)?.toolResources.fileSearch?.vectorStoreIDs ?? [] {
            guard try await store.vectorStore(id: id)?.status == .expired else { continue }
            throw RunError(
                code: "invalid_prompt",
                message: "The thread's vector store \(id) has expired, so file_search cannot use it. Create a new thread, or give this one a new vector store.")
        }
    }

    /// One model call and what follows from it. True when the model must be called again.
    private func callModel() async throws -> Bool {
        guard let provider = environment.provider else {
            throw ProviderError.notConfigured
        }
        modelCalls += 1
        guard modelCalls <= environment.maxModelCalls else {
            throw RunError.serverError("The run called the model \(environment.maxModelCalls) times without finishing.")
        }
        let used = run.usageSoFar ?? Usage()
        let context = try await ContextBuilder(store: store, blobs: environment.blobs)
            .context(for: run, promptBudget: run.maxPromptTokens.map { $0 - used.promptTokens }, window: window)
        let completionBudget = run.maxCompletionTokens.map { $0 - used.completionTokens }
        if let completionBudget, completionBudget <= 0 { throw RunIncomplete.maxCompletionTokens }

        // What earlier steps produced: this call's own tool calls run after its text, so they cannot be cited.
        let produced = ProducedOutputs(steps: context.steps, containerID: containerID)
        var output = CallOutput(run: run, produced: produced, clock: environment.clock)
        do {
            for try await event in provider.streamChat(request(context: context, maxTokens: completionBudget)) {
                try Task.checkCancellation()
                noteFirstToken(event)
                switch event {
                case .text(let text): try await output.appendText(text, store: store, hub: hub)
                case .toolCall(let index, let id, let name, let arguments):
                    try await output.appendToolCall(index: index, id: id, name: name, arguments: arguments, store: store, hub: hub)
                case .usage(let usage): output.usage = usage
                case .finish(let reason): output.finishReason = reason
                }
            }
            try Task.checkCancellation()
        } catch {
            // Failed or cancelled midway: the text streamed so far stays in the message. A fresh task, so
            // that it is saved even when this one was cancelled.
            let (partial, store, hub) = (output, store, hub)
            await Task {
                var partial = partial
                try? await partial.keepPartialMessage(store: store, hub: hub)
            }.value
            throw error
        }
        let usage = output.usage ?? Usage(promptTokens: context.estimatedTokens, completionTokens: output.estimatedCompletionTokens)
        environment.metrics.tokens(usage, model: run.model, project: run.project ?? ProjectScope.defaultProjectID)
        let truncated = output.finishReason == "length"
        let messages = output.finishMessage(truncated: truncated, usage: output.toolStep == nil ? usage : Usage(), hub: hub)
        let steps = try await finishToolCalls(in: &output, usage: usage, earlier: produced, builtInCallsBefore: context.builtInCalls)
        let pending = output.pendingFunctionCalls
        run = try await update(saving: messages, steps) { run in
            guard run.status == .inProgress else { throw Superseded() }
            run.usageSoFar = (run.usageSoFar ?? Usage()) + usage
            // A response has no `requires_action`: it ends with its function calls, which the client
            // answers in the next response.
            if !pending.isEmpty && run.responseID == nil {
                run.status = .requiresAction
                run.requiredAction = RequiredAction(toolCalls: pending)
                run.expiresAt = self.environment.clock.now() + RunPlanner.lifetime
            }
        }
        for message in messages { hub.publish(.message(message), runID: run.id) }
        for step in steps where step.status != .inProgress { hub.publish(.step(step), runID: run.id) }
        if !pending.isEmpty {
            if run.responseID == nil { hub.publish(.run(run), runID: run.id) }
            return false
        }
        if truncated && run.maxCompletionTokens != nil { throw RunIncomplete.maxCompletionTokens }
        return output.toolStep != nil
    }

    /// Time to first token: the first text or tool call of this stretch of execution.
    private func noteFirstToken(_ event: ChatStreamEvent) {
        guard !streamedFirstToken else { return }
        switch event {
        case .text, .toolCall:
            streamedFirstToken = true
            environment.metrics.firstToken(after: ContinuousClock.now - started)
        case .usage, .finish: break
        }
    }

    /// Runs the built-in tools the model called; function calls wait for the client. The tool step is
    /// complete unless some call waits. Built-in calls beyond a response's `max_tool_calls` are not run:
    /// the step records each with the note the model is told instead of a result.
    private func finishToolCalls(
        in output: inout CallOutput, usage: Usage, earlier: ProducedOutputs, builtInCallsBefore: Int
    ) async throws -> [RunStep] {
        guard var step = output.toolStep else { return output.messageStep.map { [$0] } ?? [] }
        let declared = Set(run.tools.compactMap { if case .function(let function) = $0 { function.name } else { nil } })
        var calls: [ToolCall] = []
        for (position, call) in output.assembler.ordered.enumerated() {
            switch call.name {
            case "code_interpreter", "file_search":
                let searches = earlier.searches.count + calls.filter { $0.type == "file_search" }.count
                let context = ToolCallContext(run: run, callID: call.id, searchesBefore: searches)
                let made = builtInCallsBefore + calls.filter { $0.type != "function" }.count
                let result: BuiltInToolResult
                if let limit = builtInCallLimit, made >= limit {
                    result = ReservedTools.notRun(call.name, arguments: call.arguments, output: ReservedTools.limitReached(limit))
                } else {
                    result = try await environment.tools[call.name]?.call(arguments: call.arguments, context: context)
                        ?? ReservedTools.unavailable(call.name, arguments: call.arguments)
                }
                let transcript = ToolCall.Transcript(
                    arguments: call.arguments, output: result.output, files: result.files.isEmpty ? nil : result.files,
                    containerID: result.containerID)
                calls.append(ToolCall(id: call.id, kind: result.call, transcript: transcript))
                if case .codeInterpreter(let code) = result.call, !code.outputs.isEmpty {
                    let outputs = code.outputs.enumerated().map { Indexed(index: $0.offset, value: $0.element) }
                    hub.publish(.stepDelta(RunStepDelta(id: step.id, toolCalls: [
                        ToolCallDelta(index: position, kind: .codeInterpreter(input: nil, outputs: outputs)),
                    ])), runID: run.id)
                }
            case let name where declared.contains(name):
                calls.append(ToolCall(id: call.id, kind: .function(name: name, arguments: call.arguments, output: nil)))
                output.pendingFunctionCalls.append(RequiredToolCall(id: call.id, name: name, arguments: call.arguments))
            default:
                // A function the run does not have: the model is told so, and goes on.
                let answer = "There is no tool named '\(call.name)'. Use only the tools you were given."
                calls.append(ToolCall(id: call.id, kind: .function(name: call.name, arguments: call.arguments, output: answer)))
            }
        }
        step.details = .toolCalls(calls)
        if output.pendingFunctionCalls.isEmpty {
            step.status = .completed
            step.completedAt = environment.clock.now()
            step.usage = usage
        } else {
            step.pendingUsage = usage
        }
        output.toolStep = step
        return (output.messageStep.map { [$0] } ?? []) + [step]
    }

    private func request(context: ContextBuilder.Context, maxTokens: Int?) -> ChatRequest {
        // Once a response has made as many built-in calls as `max_tool_calls` allows, the model is no longer
        // offered those tools, so that it answers with what it has.
        let builtInAllowed = builtInCallLimit.map { context.builtInCalls < $0 } ?? true
        let functions = run.tools.compactMap { tool -> FunctionDefinition? in
            switch tool {
            case .function(let function): function
            case .codeInterpreter: builtInAllowed ? environment.tools["code_interpreter"]?.definition ?? ReservedTools.codeInterpreter : nil
            case .fileSearch: builtInAllowed ? environment.tools["file_search"]?.definition ?? ReservedTools.fileSearch : nil
            }
        }
        // A forced choice applies to the run's first model call; after that the model decides.
        let forced = modelCalls == 1 && !context.hasToolCalls
        let choice: JSONValue? = switch run.toolChoice {
        case .none: .string("none")
        case .auto: .string("auto")
        case .required: .string(forced ? "required" : "auto")
        case .function(let name): forced ? .named(name) : .string("auto")
        case .codeInterpreter: forced ? .named("code_interpreter") : .string("auto")
        case .fileSearch: forced ? .named("file_search") : .string("auto")
        }
        let format: JSONValue? = switch run.responseFormat {
        case .auto, .text: nil
        case .jsonObject: .object(["type": .string("json_object")])
        case .jsonSchema(let schema): try? JSONValue.encoding(ResponseFormat.jsonSchema(schema))
        }
        return ChatRequest(
            model: run.model, messages: context.messages, tools: functions, toolChoice: choice,
            parallelToolCalls: run.parallelToolCalls, temperature: run.temperature, topP: run.topP, maxTokens: maxTokens,
            responseFormat: format, reasoningEffort: run.reasoningEffort?.rawValue)
    }

    private func update(
        saving messages: [Message] = [], _ steps: [RunStep] = [], _ change: @escaping @Sendable (inout Run) throws -> Void
    ) async throws -> Run {
        guard let updated = try await store.updateRun(id: run.id, threadID: run.threadID, saving: messages, steps, change) else {
            throw Superseded()
        }
        return updated
    }
}

/// The run changed under the executor (cancelled, expired, deleted): it stops without ending the run.
struct Superseded: Error {}

extension JSONValue {
    static func named(_ function: String) -> JSONValue {
        .object(["type": .string("function"), "function": .object(["name": .string(function)])])
    }

    static func encoding(_ value: some Encodable) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }
}

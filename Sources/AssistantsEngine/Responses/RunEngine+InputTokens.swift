import AssistantsAPI
import AssistantsStore
import Foundation
import ModelProviders

extension RunEngine {
    /// `POST /responses/input_tokens`: what the model would be sent for a response made of `request`, in
    /// tokens: its instructions, the items before it (the conversation's, or those of the responses it
    /// continues), its own input with the text of its input files, and its function tools' definitions. Counted by the server's one token
    /// estimator, as runs count their prompt budgets; nothing is stored. Refuses what a create request
    /// would refuse about the context (unknown previous response or conversation, missing files). With
    /// `truncation: auto` the count is of the context cut to the context window, as it would be sent.
    public func countInputTokens(_ request: InputTokensRequest) async throws -> InputTokenCount {
        let context = request.context
        let store = environment.store
        let input = try await ResponsePlanner.resolvingReferences(context.input?.items ?? [], store: store)
        try ResponsePlanner.refuseUnsupported(input, param: "input")
        // Inline files are read, not kept: their text counts as the model would read it.
        let inline = try await InputFiles(store: store, blobs: environment.blobs).check(input, param: "input")
        let items = ItemContext(store: store, readMessage: ContextBuilder(store: store, blobs: environment.blobs).chatMessage)
        var prior: [ResponseItem] = []
        if let conversationID = context.conversationID {
            guard try await store.thread(id: conversationID) != nil, !(try await store.isPrivateThread(conversationID)) else {
                throw APIError.notFound(.conversation, id: conversationID)
            }
            prior = try await store.allItems(threadID: conversationID).map(\.item)
        } else if let previous = context.previousResponseID {
            let chain: [StoredResponse]
            do {
                chain = try await store.responseChain(endingAt: previous)
            } catch StoreError.notFound(.response, _) {
                throw APIError.previousResponseNotFound(previous)
            }
            // An unstored response cannot be continued, as on OpenAI.
            guard chain.last?.record.ephemeral == false else { throw APIError.previousResponseNotFound(previous) }
            prior = try await items.items(of: chain)
        }
        let system = context.instructions.map { [ChatMessage.system($0)] } ?? []
        let functions = context.tools.compactMap { if case .function(let function) = $0 { function.definition } else { nil } }
        // Inline files are in the new input, which truncation keeps.
        let fixed = ChatTokens.tokens(in: system) + ChatTokens.tokens(inDefinitionsOf: functions)
            + inline.reduce(0) { $0 + ChatTokens.tokens(in: $1.text) }
        var messages = try await items.chatMessages(prior + input)
        if context.truncation == .auto, let window = environment.contextWindow {
            messages = ContextTruncation.fit(messages, within: window - fixed)
        }
        return InputTokenCount(inputTokens: fixed + ChatTokens.tokens(in: messages))
    }

    /// `truncation: disabled` (the default) refuses a response whose input exceeds the context window, as
    /// OpenAI does: before anything is stored, by the count `input_tokens` gives.
    func refuseOversizedInput(_ request: CreateResponseRequest) async throws {
        guard request.context.truncation != .auto, let window = environment.contextWindow else { return }
        let tokens = try await countInputTokens(InputTokensRequest(context: request.context)).inputTokens
        guard tokens > window else { return }
        throw APIError.invalidRequest(
            ContextTruncation.exceeded(tokens: tokens, window: window), param: "input", code: "context_length_exceeded")
    }
}

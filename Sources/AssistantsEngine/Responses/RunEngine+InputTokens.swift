import AssistantsAPI
import AssistantsStore
import Foundation
import ModelProviders

extension RunEngine {
    /// `POST /responses/input_tokens`: what the model would be sent for a response made of `request`, in
    /// tokens (see `InputTokens.count`); nothing is stored. Refuses what a create request would refuse about
    /// the input and its context (unknown previous response or conversation, missing files).
    public func countInputTokens(_ request: InputTokensRequest) async throws -> InputTokenCount {
        let store = environment.store
        let input = try await ResponsePlanner.resolvingReferences(request.context.input?.items ?? [], store: store)
        try ResponsePlanner.refuseUnsupported(input, param: "input")
        // Inline files are read, not kept: their text counts as the model would read it.
        let inline = try await InputFiles(store: store, blobs: environment.blobs).check(input, param: "input")
        let counter = InputTokens(store: store, blobs: environment.blobs, contextWindow: environment.contextWindow)
        return InputTokenCount(inputTokens: try await counter.count(request.context, input: input, inline: inline))
    }
}

/// What the model would be sent for a response, in tokens, counted by the server's one token estimator as
/// runs count their prompt budgets: its instructions, the items before it (the conversation's, or those of
/// the responses it continues), its own input with the text of its input files, and its function tools'
/// definitions. With `truncation: auto` the count is of the context cut to the context window, as it would
/// be sent.
struct InputTokens {
    let store: any AssistantsStore
    let blobs: any BlobStore
    /// The models' context window; nil when it is not known, and the model endpoint judges.
    let contextWindow: Int?

    /// The count for a response with `context` and `input`, whose references are resolved and whose inline
    /// files (`inline`) are checked already.
    func count(_ context: ResponseContextParameters, input: [ResponseItem], inline: [InputFiles.Inline]) async throws -> Int {
        let items = ItemContext(store: store, readMessage: ContextBuilder(store: store, blobs: blobs).chatMessage)
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
        if context.truncation == .auto, let contextWindow {
            messages = ContextTruncation.fit(messages, within: contextWindow - fixed)
        }
        return fixed + ChatTokens.tokens(in: messages)
    }

    /// `truncation: disabled` (the default) refuses a response whose input exceeds the context window, as
    /// OpenAI does, by the count `input_tokens` gives.
    func refuseOversized(_ context: ResponseContextParameters, input: [ResponseItem], inline: [InputFiles.Inline]) async throws {
        guard context.truncation != .auto, let contextWindow else { return }
        let tokens = try await count(context, input: input, inline: inline)
        guard tokens > contextWindow else { return }
        throw APIError.invalidRequest(
            ContextTruncation.exceeded(tokens: tokens, window: contextWindow), param: "input", code: "context_length_exceeded")
    }
}

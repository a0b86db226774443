import AssistantsAPI
import ModelProviders

/// The one way a context is cut to size, for runs (`truncation_strategy: auto` under `max_prompt_tokens`)
/// and responses (`truncation: auto` under the context window): the oldest messages go first.
enum ContextTruncation {
    /// `messages` without their oldest ones, so that they fit `budget` tokens if they can. The last user
    /// message and everything after it stay: that is the turn being answered. An assistant turn of tool
    /// calls goes together with the outputs that follow it, since endpoints refuse an output whose call is
    /// not in the request.
    static func fit(_ messages: [ChatMessage], within budget: Int) -> [ChatMessage] {
        let kept = messages.lastIndex { $0.role == .user } ?? max(messages.count - 1, 0)
        var total = ChatTokens.tokens(in: messages)
        var start = 0
        while total > budget, start < kept {
            var end = start + 1
            if !messages[start].toolCalls.isEmpty {
                while end < kept, messages[end].role == .tool { end += 1 }
            }
            total -= ChatTokens.tokens(in: Array(messages[start..<end]))
            start = end
        }
        return Array(messages[start...])
    }

    /// OpenAI's answer to a response whose input exceeds the model's context window under
    /// `truncation: disabled`.
    static func exceeded(tokens: Int, window: Int) -> String {
        "Your input exceeds the context window of this model (about \(tokens) tokens; the window is \(window)). Please adjust your input and try again, or set truncation to 'auto'."
    }
}

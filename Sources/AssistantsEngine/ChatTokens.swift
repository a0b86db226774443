import AssistantsAPI
import Foundation
import ModelProviders
import Retrieval

/// Token counts of chat messages, model-independent: text counts as Retrieval's `TokenEstimator` counts
/// it (the one estimator, also used to cut chunks), plus a few tokens of framing per message. Used before
/// a call, to truncate and to enforce `max_prompt_tokens`, and after a call whose endpoint reported no usage.
enum ChatTokens {
    static func tokens(in text: String) -> Int { TokenEstimator.count(text) }

    static func tokens(in message: ChatMessage) -> Int {
        let toolCalls = message.toolCalls.reduce(0) { $0 + tokens(in: $1.name) + tokens(in: $1.arguments) }
        let parts = message.content.reduce(0) { total, part in
            switch part {
            case .text(let text): total + tokens(in: text)
            // An image costs what a low-detail image costs on OpenAI's models.
            case .imageURL: total + 85
            }
        }
        return 4 + parts + toolCalls
    }

    static func tokens(in messages: [ChatMessage]) -> Int { messages.reduce(0) { $0 + tokens(in: $1) } }

    /// The function tools' definitions, which the request carries and the model reads as part of its input.
    static func tokens(inDefinitionsOf functions: [FunctionDefinition]) -> Int {
        // A definition was decoded from JSON, so it encodes.
        functions.reduce(0) { $0 + tokens(in: (try? JSONEncoder().encode($1)).map { String(decoding: $0, as: UTF8.self) } ?? "") }
    }
}

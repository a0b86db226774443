import AssistantsAPI
import AsyncHTTPClient
import Foundation

/// A client for the Assistants API v2 of swift-assistants (or any server that speaks it).
///
/// ```swift
/// let client = AssistantsClient(baseURL: "http://localhost:8080/v1", apiKey: "sk-...")
/// let assistant = try await client.assistants.create(CreateAssistantRequest(model: "gpt-4o", tools: [.codeInterpreter]))
/// let run = try await client.threads.createAndRunPoll(CreateThreadAndRunRequest(
///     assistantID: assistant.id, thread: CreateThreadRequest(messages: [.user("What's 10 - 4 raised to the 2.7?")])))
/// ```
///
/// The resources are grouped as in OpenAI's SDKs: `assistants`, `threads` (with `messages`, `runs` and
/// `runs.steps`), `files`, `vectorStores` (with `files` and `fileBatches`), `responses` and `conversations` (with `items`). Every call is `async`; the client is a value and may be shared freely.
public struct AssistantsClient: Sendable {
    let transport: Transport

    /// - Parameters:
    ///   - baseURL: the API root, such as `http://localhost:8080/v1`.
    ///   - apiKey: sent as `Authorization: Bearer`; nil for a server that requires none.
    ///   - httpClient: the connection pool to use; the process-wide shared one by default.
    public init(
        baseURL: String, apiKey: String? = nil, configuration: ClientConfiguration = .init(), httpClient: HTTPClient = .shared
    ) {
        let root = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        transport = Transport(baseURL: root, apiKey: apiKey, http: httpClient, configuration: configuration)
    }

    /// A client for `ASSISTANTS_BASE_URL` (default `http://localhost:8080/v1`) with `ASSISTANTS_API_KEY`.
    public static func fromEnvironment(configuration: ClientConfiguration = .init()) -> AssistantsClient {
        let environment = ProcessInfo.processInfo.environment
        return AssistantsClient(
            baseURL: environment["ASSISTANTS_BASE_URL"] ?? "http://localhost:8080/v1", apiKey: environment["ASSISTANTS_API_KEY"],
            configuration: configuration)
    }

    /// `/assistants`.
    public var assistants: Assistants { Assistants(transport: transport) }
    /// `/threads`, with its messages and runs.
    public var threads: Threads { Threads(transport: transport) }
    /// `/files`.
    public var files: Files { Files(transport: transport) }
    /// `/vector_stores`, with their files and file batches.
    public var vectorStores: VectorStores { VectorStores(transport: transport) }
    /// `/responses`, with their input items.
    public var responses: Responses { Responses(transport: transport) }
    /// `/conversations`, with their items.
    public var conversations: Conversations { Conversations(transport: transport) }
}

extension CreateMessageRequest {
    /// A user message of plain text.
    public static func user(_ text: String, attachments: [Attachment] = []) -> CreateMessageRequest {
        CreateMessageRequest(role: .user, content: [.text(text)], attachments: attachments)
    }
}

extension Message {
    /// The message's text parts, joined.
    public var text: String {
        content.compactMap { if case .text(let text) = $0 { text.value } else { nil } }.joined(separator: "\n")
    }
}

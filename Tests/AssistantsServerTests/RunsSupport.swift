import AssistantsAPI
import Foundation

/// A server-sent event as a client reads it.
struct SSEEvent {
    var name: String
    var data: String
    var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8))) ?? .null }
}

extension TestAPI.Reply {
    /// The body read as server-sent events.
    var events: [SSEEvent] {
        String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n\n").compactMap { frame in
            var name: String?
            var data: String?
            for line in frame.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            guard let name, let data else { return nil }
            return SSEEvent(name: name, data: data)
        }
    }
}

extension TestAPI {
    /// An assistant and a thread holding one user message.
    func assistantAndThread(tools: String = "[]", message: String = "Hello there") async throws -> (Assistant, AssistantThread) {
        let assistant = try await createAssistant(#"{"model":"gpt-4o","instructions":"Be brief.","tools":\#(tools)}"#)
        let thread = try await createThread(#"{"messages":[{"role":"user","content":"\#(message)"}]}"#)
        return (assistant, thread)
    }

    func createRun(_ thread: AssistantThread, _ body: String) async throws -> Run {
        let reply = try await call(.post, "/v1/threads/\(thread.id)/runs", body)
        guard reply.status == .ok else { throw RunFailure(message: String(decoding: reply.bytes, as: UTF8.self)) }
        return try reply.decode(Run.self)
    }

    /// Polls the run until it stops moving: terminal, or waiting for tool outputs.
    func settled(_ run: Run) async throws -> Run {
        for _ in 0..<500 {
            let current = try await call(.get, "/v1/threads/\(run.threadID)/runs/\(run.id)").decode(Run.self)
            if current.status.isTerminal || current.status == .requiresAction { return current }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw RunFailure(message: "run \(run.id) did not settle")
    }

    func steps(_ run: Run) async throws -> [RunStep] {
        try await call(.get, "/v1/threads/\(run.threadID)/runs/\(run.id)/steps?order=asc").decode(ListPage<RunStep>.self).data
    }

    func messages(_ thread: AssistantThread) async throws -> [Message] {
        try await call(.get, "/v1/threads/\(thread.id)/messages?order=asc").decode(ListPage<Message>.self).data
    }
}

struct RunFailure: Error {
    var message: String
}

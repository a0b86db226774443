import AssistantsAPI
import AssistantsEngine
import HTTPTypes
import Hummingbird

extension Response {
    /// Server-sent events, written as they happen: the run's events until it ends or requires action,
    /// then `done`. A client that goes away stops only its stream, never the run.
    static func eventStream(_ events: AsyncStream<AssistantStreamEvent>) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                for await event in events {
                    try await writer.write(ByteBuffer(bytes: try event.frame()))
                    if event.endsStream { break }
                }
                try await writer.write(ByteBuffer(bytes: try AssistantStreamEvent.done.frame()))
                try await writer.finish(nil)
            })
    }

    /// The run, or its event stream when the request asked to stream.
    static func run(_ start: RunEngine.Start) -> Response {
        if let events = start.events { return .eventStream(events) }
        return .json(start.run).polledAfter(start.run)
    }

    /// Tells the SDKs' polling helpers how soon to ask again (they wait 1 s without it).
    func polledAfter(_ run: Run) -> Response {
        guard !run.status.isTerminal else { return self }
        var response = self
        response.headers[HTTPField.Name("openai-poll-after-ms")!] = "200"
        return response
    }
}

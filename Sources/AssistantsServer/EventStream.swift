import AssistantsAPI
import AssistantsEngine
import AssistantsStore
import HTTPTypes
import Hummingbird
import Metrics

extension Response {
    /// Server-sent events, written as they happen: the run's events until it ends or requires action,
    /// then `done`. A client that goes away stops only its stream, never the run.
    /// `openStreams` counts it while it is written.
    static func eventStream(_ events: RunEvents, includingFileSearchContent include: Bool, openStreams: Meter) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                openStreams.increment()
                defer { openStreams.decrement() }
                var buffer = ByteBuffer()
                streaming: for await batch in events {
                    for event in batch {
                        buffer.writeBytes(try (include ? event : event.withoutFileSearchContent()).frame())
                        if event.endsStream { break streaming }
                    }
                    try await writer.write(buffer)
                    buffer.clear()
                }
                buffer.writeBytes(try AssistantStreamEvent.done.frame())
                try await writer.write(buffer)
                try await writer.finish(nil)
            })
    }

    /// The run, or its event stream when the request asked to stream.
    static func run(_ start: RunEngine.Start, includingFileSearchContent include: Bool = false, openStreams: Meter) -> Response {
        if let events = start.events { return .eventStream(events, includingFileSearchContent: include, openStreams: openStreams) }
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

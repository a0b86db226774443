import Foundation
import Testing
@testable import FakeModel

@Suite struct StreamingBehaviourTests {
    static let streamBody = #"{"model":"m","stream":true,"messages":[{"role":"user","content":"Hi"}]}"#

    @Test func chunksAreFlushedAsWritten() async throws {
        try await withServer { server in
            server.enqueue(FakeReply(chunks: ["a", "b", "c"], delayMsBetween: 150))
            var times: [ContinuousClock.Instant] = []
            var body = Data()
            for try await (data, time) in arrivals(server.baseURL + "/chat/completions", Self.streamBody) {
                body += data
                times.append(time)
            }
            // Buffered, everything would arrive at once; streamed, 4 delays of 150 ms separate first and last.
            #expect(times.count > 1)
            #expect(times.first!.duration(to: times.last!) > .milliseconds(300))
            #expect(String(decoding: body, as: UTF8.self).hasSuffix("data: [DONE]\n\n"))
        }
    }

    @Test func dropAfterChunksClosesWithoutDone() async throws {
        try await withServer { server in
            server.enqueue(FakeReply(text: "abcdefgh", dropAfterChunks: 2))
            var body = Data()
            await #expect(throws: (any Error).self) {
                for try await (data, _) in arrivals(server.baseURL + "/chat/completions", Self.streamBody) {
                    body += data
                }
            }
            let events = HTTPReply(status: 200, body: body).events
            #expect(events.count == 2)
            #expect(!events.contains("[DONE]"))
        }
    }

    @Test func stopEndsAStreamInProgress() async throws {
        let server = try await FakeModelServer.start()
        server.enqueue(FakeReply(text: "slow", delayMsBeforeFirst: 60_000))
        let url = server.baseURL + "/chat/completions"
        let request = Task { try await send(url, Self.streamBody) }
        while server.requests().isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let start = ContinuousClock.now
        await server.stop()
        #expect(start.duration(to: .now) < .seconds(5))
        _ = await request.result
    }

    @Test func startFailsWhenThePortIsTaken() async throws {
        try await withServer { server in
            await #expect(throws: (any Error).self) { try await FakeModelServer.start(port: server.port) }
        }
    }
}

import Foundation

/// The measurements of one deployment, against the scripted fake model all deployments share.
struct Measurements {
    let client: Client
    let fakeURL: String
    /// The deployment's `…/v1`.
    let api: String
    let assistant: String

    init(client: Client, fakeURL: String, api: String) async throws {
        self.client = client
        self.fakeURL = fakeURL
        self.api = api
        assistant = try await client.json("\(api)/assistants", ["model": "bench-model", "instructions": "Answer."])["id"] as! String
    }

    func script(_ replies: [[String: Any]]) async throws {
        _ = try await client.json("\(fakeURL)/_fake/reset", [String: Any]())
        _ = try await client.json("\(fakeURL)/_fake/replies", ["replies": replies])
    }

    func chat() -> [String: Any] { ["model": "bench-model", "stream": true, "messages": [["role": "user", "content": "Hello"]]] }
    func run(stream: Bool = true) -> [String: Any] {
        ["assistant_id": assistant, "stream": stream, "thread": ["messages": [["role": "user", "content": "Hello"]]]]
    }

    /// Time to first token, in turns: straight from the fake, through a streamed run, and through a
    /// streamed response (`POST /v1/responses`, which stores the response, its thread and its input first).
    /// Medians, in ms.
    func firstToken(samples: Int) async throws -> FirstToken {
        try await script([["text": "The quick brown fox jumps over the lazy dog.", "repeat": 0]])
        var direct: [Double] = []
        var relayed: [Double] = []
        var responded: [Double] = []
        for _ in 0..<samples {
            let start = ContinuousClock.now
            let upstream = try await client.stream("\(fakeURL)/v1/chat/completions", chat(), marker: "\"content\":\"T", end: "[DONE]")
            direct.append(milliseconds(upstream.first! - start))
            let runStart = ContinuousClock.now
            let viaServer = try await client.stream("\(api)/threads/runs", run(), marker: "event: thread.message.delta", end: "[DONE]")
            relayed.append(milliseconds(viaServer.first! - runStart))
            let responseStart = ContinuousClock.now
            let viaResponse = try await client.stream(
                "\(api)/responses", ["model": "bench-model", "input": "Hello", "stream": true],
                marker: "event: response.output_text.delta", end: "event: response.completed")
            responded.append(milliseconds(viaResponse.first! - responseStart))
        }
        return FirstToken(upstream: median(direct), relayed: median(relayed), response: median(responded))
    }

    struct FirstToken {
        var upstream = 0.0
        var relayed = 0.0
        var response = 0.0
    }

    /// Relay throughput on one stream: 4,000 chunks, with `delay` ms between them. Chunks per second, medians of 5.
    func relay(delay: Int) async throws -> (upstream: Double, relayed: Double) {
        try await script([["text": String(repeating: "word", count: 4000), "chunk_size": 4, "delay_ms_between": delay, "repeat": 0]])
        var upstream: [Double] = []
        var relayed: [Double] = []
        for _ in 0..<5 {
            let raw = try await client.stream("\(fakeURL)/v1/chat/completions", chat(), marker: "\"content\":\"word", end: "[DONE]")
            upstream.append(Double(raw.matches - 1) / (milliseconds(raw.last! - raw.first!) / 1000))
            let viaServer = try await client.stream("\(api)/threads/runs", run(), marker: "event: thread.message.delta", end: "[DONE]")
            relayed.append(Double(viaServer.matches - 1) / (milliseconds(viaServer.last! - viaServer.first!) / 1000))
        }
        return (median(upstream), median(relayed))
    }

    struct Concurrency {
        let runs: Int
        let completed: Int
        let seconds: Double
        /// Why the others were lost, and how many each.
        let losses: [String: Int]
    }

    /// `runs` streamed create-thread-and-runs at once, each streaming 50 chunks 20 ms apart (about one
    /// second). A run completes when its client saw all 50 deltas and `thread.run.completed`.
    func concurrent(_ runs: Int) async throws -> Concurrency {
        try await script([["text": String(repeating: "abcd", count: 50), "chunk_size": 4, "delay_ms_between": 20, "repeat": 0]])
        let start = ContinuousClock.now
        let outcomes = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<runs {
                group.addTask {
                    do {
                        let timing = try await client.stream("\(api)/threads/runs", run(), marker: "event: thread.message.delta", end: "event: thread.run.completed")
                        if timing.status != 200 { return "HTTP \(timing.status)" }
                        if timing.completed && timing.matches == 50 { return nil }
                        return timing.completed ? "completed with \(timing.matches) of 50 deltas" : "ended without thread.run.completed"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var losses: [String: Int] = [:]
            for await loss in group { if let loss { losses[loss, default: 0] += 1 } }
            return losses
        }
        let lost = outcomes.values.reduce(0, +)
        return Concurrency(runs: runs, completed: runs - lost, seconds: milliseconds(ContinuousClock.now - start) / 1000, losses: outcomes)
    }

    /// Non-streamed runs against a zero-latency upstream: 32 clients create and poll (every 5 ms) for 10
    /// seconds. Runs per second.
    func polledRuns() async throws -> Double {
        try await script([["text": "ok", "repeat": 0]])
        let start = ContinuousClock.now
        let finished = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now - start < .seconds(10) {
                        guard let created = try? await client.json("\(api)/threads/runs", run(stream: false)),
                              let id = created["id"] as? String, let thread = created["thread_id"] as? String else { continue }
                        while let status = (try? await client.json("\(api)/threads/\(thread)/runs/\(id)"))?["status"] as? String,
                              status == "queued" || status == "in_progress" {
                            try? await Task.sleep(for: .milliseconds(5))
                        }
                        count += 1
                    }
                    return count
                }
            }
            var total = 0
            for await count in group { total += count }
            return total
        }
        return Double(finished) / (milliseconds(ContinuousClock.now - start) / 1000)
    }
}

func milliseconds(_ duration: Duration) -> Double { Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000 }
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

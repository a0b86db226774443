import Foundation

// Starts the built server and fake model (release builds), measures, and prints a Markdown report.
// Usage: run-benchmarks <bin dir> [samples] [concurrent runs]
let arguments = CommandLine.arguments
let binaries = arguments.count > 1 ? arguments[1] : ".build/release"
let samples = arguments.count > 2 ? Int(arguments[2])! : 200
let concurrentRuns = arguments.count > 3 ? Int(arguments[3])! : 500

let fake = try Child("\(binaries)/fake-model", ["--port", "0"])
let fakePort = fake.firstLine().split(separator: ":").last.map(String.init)!
let fakeURL = "http://127.0.0.1:\(fakePort)"
let serverPort = freePort()
let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)").path
let server = try Child(
    "\(binaries)/assistants",
    ["serve", "--port", String(serverPort), "--data-dir", dataDirectory, "--upstream-url", "\(fakeURL)/v1", "--run-workers", "600"])
let api = "http://127.0.0.1:\(serverPort)/v1"
let client = Client()
defer {
    server.stop()
    fake.stop()
    try? FileManager.default.removeItem(atPath: dataDirectory)
}

for _ in 0..<200 {
    if (try? await client.http.execute(client.request("http://127.0.0.1:\(serverPort)/health"), timeout: .seconds(1)))?.status == .ok { break }
    try await Task.sleep(for: .milliseconds(50))
}
let assistant = try await client.json("\(api)/assistants", ["model": "bench-model", "instructions": "Answer."])["id"] as! String

func script(_ replies: [[String: Any]]) async throws {
    _ = try await client.json("\(fakeURL)/_fake/reset", [String: Any]())
    _ = try await client.json("\(fakeURL)/_fake/replies", ["replies": replies])
}

func chat() -> [String: Any] { ["model": "bench-model", "stream": true, "messages": [["role": "user", "content": "Hello"]]] }
func run(stream: Bool = true) -> [String: Any] {
    ["assistant_id": assistant, "stream": stream, "thread": ["messages": [["role": "user", "content": "Hello"]]]]
}
func milliseconds(_ duration: Duration) -> Double { Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000 }
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

// 1. Time to first token: straight from the fake, and through a streamed run.
try await script([["text": "The quick brown fox jumps over the lazy dog.", "repeat": 0]])
var direct: [Double] = []
var relayed: [Double] = []
for _ in 0..<samples {
    let start = ContinuousClock.now
    let upstream = try await client.stream("\(fakeURL)/v1/chat/completions", chat(), marker: "\"content\":\"T", end: "[DONE]")
    direct.append(milliseconds(upstream.first! - start))
    let runStart = ContinuousClock.now
    let viaServer = try await client.stream("\(api)/threads/runs", run(), marker: "event: thread.message.delta", end: "[DONE]")
    relayed.append(milliseconds(viaServer.first! - runStart))
}
let addedLatency = median(relayed) - median(direct)

// 2. Relay throughput on one stream: 4,000 chunks as fast as the fake sends them, and paced at 1 ms.
func throughput(delay: Int) async throws -> (upstream: Double, relayed: Double) {
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
let fast = try await throughput(delay: 0)
let paced = try await throughput(delay: 1)

// 3. Concurrent streamed runs: each streams 50 chunks 20 ms apart (about one second).
try await script([["text": String(repeating: "abcd", count: 50), "chunk_size": 4, "delay_ms_between": 20, "repeat": 0]])
let concurrentStart = ContinuousClock.now
let outcomes = await withTaskGroup(of: Bool.self) { group in
    for _ in 0..<concurrentRuns {
        group.addTask {
            let timing = try? await client.stream("\(api)/threads/runs", run(), marker: "event: thread.message.delta", end: "event: thread.run.completed")
            return timing?.completed == true && timing?.matches == 50
        }
    }
    var results: [Bool] = []
    for await result in group { results.append(result) }
    return results
}
let concurrentSeconds = milliseconds(ContinuousClock.now - concurrentStart) / 1000
let completed = outcomes.filter { $0 }.count

// 4. Non-streamed runs against a zero-latency upstream: 32 clients create and poll for 10 seconds.
try await script([["text": "ok", "repeat": 0]])
let pollingStart = ContinuousClock.now
let finished = await withTaskGroup(of: Int.self) { group in
    for _ in 0..<32 {
        group.addTask {
            var count = 0
            while ContinuousClock.now - pollingStart < .seconds(10) {
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
let pollingSeconds = milliseconds(ContinuousClock.now - pollingStart) / 1000

print("""
| Measurement | Result |
|---|---|
| Time to first token, upstream alone (median of \(samples)) | \(String(format: "%.2f", median(direct))) ms |
| Time to first text delta through a streamed run (median of \(samples)) | \(String(format: "%.2f", median(relayed))) ms |
| **Added latency** (difference of medians) | **\(String(format: "%.2f", addedLatency)) ms** |
| Relay, upstream unpaced: upstream / relayed chunks per second | \(Int(fast.upstream)) / \(Int(fast.relayed)) (**\(Int(100 * fast.relayed / fast.upstream))%**) |
| Relay, upstream paced at 1 ms per chunk | \(Int(paced.upstream)) / \(Int(paced.relayed)) (**\(Int(100 * paced.relayed / paced.upstream))%**) |
| \(concurrentRuns) concurrent streamed runs (1 s of streaming each): completed | **\(completed) / \(concurrentRuns)** in \(String(format: "%.1f", concurrentSeconds)) s (\(String(format: "%.0f", Double(completed) / concurrentSeconds)) runs/s) |
| Non-streamed runs, zero-latency upstream, 32 polling clients | **\(String(format: "%.0f", Double(finished) / pollingSeconds)) runs/s** |
| Server peak resident memory over the whole benchmark | \(String(format: "%.0f", server.peakMemoryMiB)) MiB |
""")
try await client.http.shutdown()

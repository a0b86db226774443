import Foundation

// Starts the fake model and each deployment in turn (release builds), measures, and prints one Markdown
// table with a column per deployment, so that their ratios come from one run. Run from the repository's root.
// Usage: run-benchmarks <bin dir> [samples] [concurrent runs] [deployment...]
// Deployments: sqlite, postgres (one node), postgres:N (N nodes behind nginx); default sqlite postgres postgres:3.
let arguments = CommandLine.arguments
let binaries = arguments.count > 1 ? arguments[1] : ".build/release"
let samples = arguments.count > 2 ? Int(arguments[2])! : 200
let concurrentRuns = arguments.count > 3 ? Int(arguments[3])! : 500
let specs = arguments.count > 4 ? Array(arguments[4...]) : ["sqlite", "postgres", "postgres:3"]
// RUN_BENCHMARKS=polled: the polled runs only (seconds per deployment), for comparing two builds run one after
// another, again and again.
let polledOnly = ProcessInfo.processInfo.environment["RUN_BENCHMARKS"] == "polled"

let openFiles = raiseOpenFilesLimit()
let fake = try Child("\(binaries)/fake-model", ["--port", "0"])
let fakeURL = "http://127.0.0.1:\(fake.firstLine().split(separator: ":").last!)"
let client = Client()
defer { fake.stop() }

struct Results {
    let deployment: String
    let nodes: Int
    var firstToken = Measurements.FirstToken()
    var unpaced = (upstream: 0.0, relayed: 0.0)
    var paced = (upstream: 0.0, relayed: 0.0)
    var concurrent: [(Measurements.Concurrency, peakMiB: Double)] = []
    var polledRunsPerSecond = 0.0
    var peakMiB = 0.0
}

func log(_ message: String) { FileHandle.standardError.write(Data("run-benchmarks: \(message)\n".utf8)) }

var results: [Results] = []
for spec in specs {
    let deployment = try Deployment.start(spec, binaries: binaries, upstream: "\(fakeURL)/v1")
    defer { deployment.stop() }
    log("\(deployment.name) at \(deployment.api)")
    for _ in 0..<200 {
        let health = client.request(deployment.api.replacingOccurrences(of: "/v1", with: "/health"))
        if (try? await client.http.execute(health, timeout: .seconds(1)))?.status == .ok { break }
        try await Task.sleep(for: .milliseconds(50))
    }
    let measure = try await Measurements(client: client, fakeURL: fakeURL, api: deployment.api)
    var result = Results(deployment: deployment.name, nodes: deployment.nodes)
    if !polledOnly {
        result.firstToken = try await measure.firstToken(samples: samples)
        result.unpaced = try await measure.relay(delay: 0)
        result.paced = try await measure.relay(delay: 1)
        // As many concurrent runs as asked, then as many per node when there are several.
        for runs in Set([concurrentRuns, concurrentRuns * deployment.nodes]).sorted() {
            log("\(runs) concurrent streamed runs")
            let outcome = try await measure.concurrent(runs)
            if !outcome.losses.isEmpty { log("lost runs: \(outcome.losses)") }
            result.concurrent.append((outcome, deployment.peakMemoryMiB))
        }
    }
    result.polledRunsPerSecond = try await measure.polledRuns()
    result.peakMiB = deployment.peakMemoryMiB
    results.append(result)
}
try await client.http.shutdown().get()

// The report: one row per measurement, one column per deployment; ratios against the first column.
func format(_ value: Double, _ decimals: Int = 0) -> String { String(format: "%.\(decimals)f", value) }
func relay(_ pair: (upstream: Double, relayed: Double)) -> String {
    "\(Int(pair.upstream)) / \(Int(pair.relayed)) (**\(Int(100 * pair.relayed / pair.upstream))%**)"
}
func concurrency(_ runs: Int, _ result: Results) -> (outcome: String, memory: String) {
    guard let (outcome, peak) = result.concurrent.first(where: { $0.0.runs == runs }) else { return ("", "") }
    return ("**\(outcome.completed) / \(outcome.runs)**, \(outcome.runs - outcome.completed) lost, in \(format(outcome.seconds, 1)) s",
            "\(format(peak)) MiB")
}
let base = results[0]
var rows: [(String, (Results) -> String)] = polledOnly ? [] : [
    ("Time to first token, upstream alone (median of \(samples))", { "\(format($0.firstToken.upstream, 2)) ms" }),
    ("Time to first text delta through a streamed run (median of \(samples))", { "\(format($0.firstToken.relayed, 2)) ms" }),
    ("**Added latency** (difference of medians)", { "**\(format($0.firstToken.relayed - $0.firstToken.upstream, 2)) ms**" }),
    ("Added latency minus the first column's", {
        format(($0.firstToken.relayed - $0.firstToken.upstream) - (base.firstToken.relayed - base.firstToken.upstream), 2) + " ms"
    }),
    ("Time to first text delta through a streamed response (median of \(samples))", { "\(format($0.firstToken.response, 2)) ms" }),
    ("**Added latency of a streamed response** (difference of medians)", {
        "**\(format($0.firstToken.response - $0.firstToken.upstream, 2)) ms**"
    }),
    ("Relay, upstream unpaced: upstream / relayed chunks per second", { relay($0.unpaced) }),
    ("Relay, upstream paced at 1 ms per chunk", { relay($0.paced) }),
]
for runs in Set(results.flatMap { $0.concurrent.map { $0.0.runs } }).sorted() {
    rows.append(("\(runs) concurrent streamed runs (1 s of streaming each): completed", { concurrency(runs, $0).outcome }))
    rows.append(("Nodes' peak resident memory, added up, after those", { concurrency(runs, $0).memory }))
}
rows += [
    ("Non-streamed runs, zero-latency upstream, 32 polling clients", { "**\(format($0.polledRunsPerSecond)) runs/s**" }),
    ("The first column's runs/s ÷ this column's", { "\(format(base.polledRunsPerSecond / $0.polledRunsPerSecond, 2))×" }),
    ("Nodes' peak resident memory over the whole benchmark, added up", { "\(format($0.peakMiB)) MiB" }),
]
print("| Measurement | " + results.map(\.deployment).joined(separator: " | ") + " |")
print("|---|" + String(repeating: "---|", count: results.count))
for (title, cell) in rows { print("| \(title) | " + results.map(cell).joined(separator: " | ") + " |") }
print("\nOpen files limit: \(openFiles).")

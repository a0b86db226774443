// `swift run -c release sandbox-benchmarks`: latency and memory of code-interpreter sessions, as a Markdown table.
import CodeInterpreter
import Foundation

#if canImport(Glibc)
import Glibc
#endif

let warmRuns = 200, coldRuns = 20, idleSessions = 10, scientificRuns = 5
let scientificImport = "import numpy, pandas, matplotlib.pyplot"

func percentile(_ samples: [Duration], _ fraction: Double) -> Duration {
    let sorted = samples.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))]
}

func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return String(format: "%.1f ms", Double(seconds) * 1e3 + Double(attoseconds) / 1e15)
}

func timed(_ body: () async throws -> Void) async rethrows -> Duration {
    let start = ContinuousClock.now
    try await body()
    return ContinuousClock.now - start
}

/// The parent of `pid`: the second field after the parenthesized command name in /proc/<pid>/stat.
func parentOf(_ pid: Int32) -> Int32? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return nil }
    return stat[stat.index(after: close)...].split(separator: " ").dropFirst().first.flatMap { Int32($0) }
}

func command(_ pid: Int32) -> String {
    ((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? "").trimmingCharacters(in: .newlines)
}

/// kB of a field ("Rss:", "Pss:") of /proc/<pid>/smaps_rollup.
func memory(_ pid: Int32, _ field: String) -> Int {
    let rollup = (try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8)) ?? ""
    let line = rollup.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

/// Mean RSS / PSS of the given process trees, in MiB.
func meanMemory(_ trees: [[Int32]]) -> String {
    func mean(_ field: String) -> Int {
        trees.map { $0.map { memory($0, field) }.reduce(0, +) }.reduce(0, +) / max(trees.count, 1) / 1024
    }
    return "\(mean("Rss:")) MiB / \(mean("Pss:")) MiB"
}

/// Every session's process tree: our bwrap children and all their descendants.
func sessionTrees() -> [[Int32]] {
    let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init)
    let parents = Dictionary(uniqueKeysWithValues: pids.compactMap { pid in parentOf(pid).map { (pid, $0) } })
    let roots = pids.filter { parents[$0] == getpid() && command($0) == "bwrap" }
    return roots.map { root in
        var tree = [root]
        var index = 0
        while index < tree.count {
            tree += parents.filter { $0.value == tree[index] }.map(\.key)
            index += 1
        }
        return tree
    }
}

let service = CodeInterpreterService()

_ = try await service.execute("1+1", session: "warm", files: [])
var warm: [Duration] = []
for _ in 0..<warmRuns {
    warm.append(try await timed { _ = try await service.execute("1+1", session: "warm", files: []) })
}
await service.endSession("warm")

var cold: [Duration] = []
for index in 0..<coldRuns {
    cold.append(try await timed { _ = try await service.execute("1+1", session: "cold\(index)", files: []) })
    await service.endSession("cold\(index)")
}

for index in 0..<idleSessions { _ = try await service.execute("1+1", session: "idle\(index)", files: []) }
try await Task.sleep(for: .milliseconds(500))
let trees = sessionTrees()
let processes = trees.first.map { $0.map(command).joined(separator: " → ") } ?? "-"
let idleMemory = meanMemory(trees)
for index in 0..<idleSessions { await service.endSession("idle\(index)") }

var scientific: [Duration] = []
for index in 0..<scientificRuns {
    scientific.append(try await timed { _ = try await service.execute(scientificImport, session: "sci\(index)", files: []) })
}
let scientificMemory = meanMemory(sessionTrees())

let file = SandboxFile(name: "in.bin", contents: Data(count: 8 << 20))
let roundTrip = try await timed {
    _ = try await service.execute("open('out.bin', 'wb').write(open('in.bin', 'rb').read())", session: "files", files: [file])
}
await service.shutdown()

print("""
    | Code interpreter (bubblewrap) | Result |
    |---|---|
    | Warm round trip of `1+1`, p50 / p99 (\(warmRuns) runs) | \(milliseconds(percentile(warm, 0.5))) / \(milliseconds(percentile(warm, 0.99))) |
    | Cold start of a new session to its first result, p50 / max (\(coldRuns) runs) | \(milliseconds(percentile(cold, 0.5))) / \(milliseconds(cold.max()!)) |
    | E2B's published sandbox cold start, for comparison | ~150 ms |
    | Memory per idle session: RSS / PSS, mean of \(trees.count) (\(processes)) | \(idleMemory) |
    | First cell `\(scientificImport)` in a new session, p50 (\(scientificRuns) runs) | \(milliseconds(percentile(scientific, 0.5))) |
    | Memory per session after that import: RSS / PSS | \(scientificMemory) |
    | Upload 8 MiB, copy it in Python, get it back (new session) | \(milliseconds(roundTrip)) |
    """)

import Foundation

/// A server to measure, started by the benchmark and stopped after it: `sqlite` (one `assistants serve`
/// with SQLite in a temporary data directory) or `postgres:N` (N nodes on a throwaway PostgreSQL, with nginx
/// in front, started by `scripts/cluster` exactly as it starts them for anyone). Every node runs 600 run
/// workers and relays to the one fake model given; everything else is the server's defaults.
struct Deployment {
    let name: String
    let nodes: Int
    /// Where the API answers (`…/v1`). One PostgreSQL node is asked directly, as the SQLite server is, so
    /// that the two differ only in the database; several nodes through nginx, as clients would ask them.
    let api: String
    /// The processes that serve the API (the nodes), whose memory is reported.
    let serverPIDs: [Int32]
    private let child: Child
    private let directory: String

    /// Starts `spec` (`sqlite`, `postgres` or `postgres:N`).
    static func start(_ spec: String, binaries: String, upstream: String) throws -> Deployment {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)").path
        let serve = ["--upstream-url", upstream, "--run-workers", "600"]
        let assistants = URL(fileURLWithPath: "\(binaries)/assistants").standardizedFileURL.path
        if spec == "sqlite" {
            let port = freePort()
            let child = try Child(assistants, ["serve", "--port", String(port), "--data-dir", directory] + serve)
            return Deployment(
                name: "SQLite, 1 node", nodes: 1, api: "http://127.0.0.1:\(port)/v1",
                serverPIDs: [child.process.processIdentifier], child: child, directory: directory)
        }
        let parts = spec.split(separator: ":")
        guard parts.first == "postgres", parts.count <= 2, let nodes = parts.count == 2 ? Int(parts[1]) : 1, nodes > 0 else {
            throw BenchmarkError("unknown deployment \(spec): sqlite, postgres or postgres:N")
        }
        // Run from the repository's root, as the build command is.
        let child = try Child(
            "scripts/cluster",
            ["--nodes", String(nodes), "--bin", assistants, "--dir", directory] + serve.flatMap { ["--serve-arg", $0] },
            showsErrors: true)
        let nginx = child.firstLine()
        guard nginx.hasPrefix("http://") else {
            child.stop()
            throw BenchmarkError("scripts/cluster did not start (see above)")
        }
        let clusterEnv = (try? String(contentsOfFile: "\(directory)/cluster.env", encoding: .utf8)) ?? ""
        let node1 = clusterEnv.split(separator: "\n").first { $0.hasPrefix("ASSISTANTS_CLUSTER_NODE1_URL=") }?
            .split(separator: "=", maxSplits: 1).last.map(String.init)
        let pids = (1...nodes).compactMap { node in
            (try? String(contentsOfFile: "\(directory)/node\(node)/pid", encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        return Deployment(
            name: nodes == 1 ? "PostgreSQL, 1 node" : "PostgreSQL, \(nodes) nodes + nginx", nodes: nodes,
            api: "\(nodes == 1 ? node1 ?? nginx : nginx)/v1", serverPIDs: pids, child: child, directory: directory)
    }

    /// The nodes' peak resident memory so far, added up.
    var peakMemoryMiB: Double { serverPIDs.map { peakResidentMiB(pid: $0) }.reduce(0, +) }

    func stop() {
        child.stop()
        // KEEP_BENCH_DIR=1 keeps the nodes' data and logs, to look into a run's losses afterwards.
        if ProcessInfo.processInfo.environment["KEEP_BENCH_DIR"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        } else {
            FileHandle.standardError.write(Data("run-benchmarks: kept \(directory)\n".utf8))
        }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

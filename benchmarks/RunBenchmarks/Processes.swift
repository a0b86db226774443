import Foundation

/// A child process: the server, the fake model or `scripts/cluster`, started from a built binary or script.
final class Child: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()

    /// The child's environment is the benchmark's without its `ASSISTANTS_*` variables, so that a setting
    /// of the caller's (a database URL, keys) cannot change what is measured, plus `environment`.
    /// `showsErrors` passes the child's standard error on (the cluster script says there what failed).
    init(_ path: String, _ arguments: [String], environment: [String: String] = [:], showsErrors: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment
            .filter { !$0.key.hasPrefix("ASSISTANTS_") }
            .merging(environment) { $1 }
        process.standardOutput = output
        process.standardError = showsErrors ? FileHandle.standardError : FileHandle.nullDevice
        // A child inherits the signal mask of the thread that spawns it, and the threads async code runs on
        // block most signals: a shell script started from one could never be stopped with SIGTERM.
        var unblocked = sigset_t(), previous = sigset_t()
        sigemptyset(&unblocked)
        pthread_sigmask(SIG_SETMASK, &unblocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
    }

    /// The first line the process prints.
    func firstLine() -> String {
        var bytes = Data()
        while let byte = try? output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

/// Peak resident memory of a process, from the kernel's high-water mark.
func peakResidentMiB(pid: Int32) -> Double {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    return kilobytes / 1024
}

/// Raises this process's open-files limit to its hard limit, for its children too (servers, nginx, the
/// fake): 1,500 streams through nginx take about 1,500 sockets in the client, 3,000 in nginx and as many
/// in the fake. Returns the limit now in force.
func raiseOpenFilesLimit() -> UInt64 {
    var limit = rlimit()
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    guard getrlimit(resource, &limit) == 0 else { return 0 }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(resource, &limit)
        _ = getrlimit(resource, &limit)
    }
    return UInt64(limit.rlim_cur)
}

func freePort() -> Int {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

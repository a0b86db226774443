import Foundation
import Subprocess

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a session's process is gone, in words for the model.
enum SessionEnd: Error, Sendable, Equatable {
    case timedOut(Duration)
    case cancelled
    /// The control channel carried something that is not a reply: the code wrote to it.
    case corrupted
    /// Ended by the service: endSession, idle reclaim or shutdown.
    case closed
    /// The process exited by itself; the text says how.
    case died(String)
    /// The runner could not carry out a request (the code broke its environment); the text says why.
    case runnerFailed(String)
    /// The session's processes together reached its memory ceiling (bytes) and the kernel killed one.
    case outOfMemory(Int)
}

/// One sandboxed Python process and the pipes that drive it. Callers send one request at a time.
actor Session {
    private struct Channel: Sendable {
        let writer: StandardInputWriter
        let kill: @Sendable () -> Void
    }

    private static let startTimeout = Duration.seconds(30)
    private static let stderrKept = 2048
    /// The greeting and the small replies (put) fit in this.
    static let smallReply = 1 << 16

    /// The longest reply line the current request may get; longer ones end the session, so that neither a
    /// corrupted channel nor an oversized file makes the server buffer without bound.
    private var replyLimit = smallReply
    private let group: SessionGroup?
    private let memoryBytes: Int
    private var channel: Channel?
    private var lines: [[UInt8]] = []
    private var waiter: CheckedContinuation<[UInt8]?, Never>?
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []
    private var nextID = 1
    private var exited = false
    /// Set as soon as the process is known to be ending.
    private var end: SessionEnd?

    private init(group: SessionGroup?, memoryBytes: Int) {
        self.group = group
        self.memoryBytes = memoryBytes
    }

    /// Starts a process and waits until its runner is ready; `onExit` runs once the process has been reaped.
    static func start(
        _ plan: LaunchPlan, onExit: @escaping @Sendable () -> Void
    ) async throws(CodeInterpreterError) -> Session {
        let session = Session(group: plan.group, memoryBytes: plan.memoryBytes)
        await session.launch(plan, onExit: onExit)
        switch await session.exchange(nil, timeout: startTimeout) {
        case .success: return session
        case .failure(.cancelled):
            throw .cancelled
        case .failure(.timedOut(let limit)):
            await session.terminate(.closed)
            throw .sessionStartFailed("the runner was not ready within \(limit.inSeconds)")
        case .failure(let end):
            await session.terminate(.closed)
            throw .sessionStartFailed(end.description)
        }
    }

    /// Sends one request and waits for its reply, which may be up to `replyLimit` bytes. On timeout or
    /// cancellation of the caller, a longer reply, or an out-of-memory kill in the session, the process is killed.
    func call(
        _ request: RunnerRequest, timeout: Duration, replyLimit: Int = Session.smallReply
    ) async throws(SessionEnd) -> RunnerReply {
        self.replyLimit = replyLimit
        defer { self.replyLimit = Self.smallReply }
        let reply = try await exchange(request, timeout: timeout).get()
        // Under cgroup v1 the kernel kills one process of the group; the session goes as a whole, as it
        // does under v2 (memory.oom.group), so that no half-killed state survives.
        if let group, group.outOfMemoryKills > 0 {
            terminate(.outOfMemory(memoryBytes))
            throw await ended()
        }
        return reply
    }

    /// Kills the process (if still running); `reason` is what the pending and later calls report.
    func terminate(_ reason: SessionEnd) {
        if end == nil { end = reason }
        channel?.kill()
    }

    /// Returns once the process has been reaped (its cgroup may take a moment longer to go).
    func waitForExit() async {
        if !exited { await withCheckedContinuation { exitWaiters.append($0) } }
    }

    /// Why the process is gone, once it is.
    var outcome: SessionEnd? { exited ? end : nil }

    private func exchange(_ request: RunnerRequest?, timeout: Duration) async -> Result<RunnerReply, SessionEnd> {
        let deadline = Task {
            try await Task.sleep(for: timeout)
            self.terminate(.timedOut(timeout))
        }
        defer { deadline.cancel() }
        return await withTaskCancellationHandler {
            await send(request)
        } onCancel: {
            Task { await self.terminate(.cancelled) }
        }
    }

    /// Writes `request` (nil: just read the greeting) and reads the reply with the same id.
    private func send(_ request: RunnerRequest?) async -> Result<RunnerReply, SessionEnd> {
        var id = 0
        if var request {
            guard end == nil, let channel else { return .failure(await ended()) }
            id = nextID
            nextID += 1
            request.id = id
            var line = Array(try! JSONEncoder().encode(request))  // strings, numbers and data always encode
            line.append(0x0A)
            do {
                _ = try await channel.writer.write(line)
            } catch {
                return .failure(await ended())
            }
        }
        guard let line = await nextLine() else { return .failure(await ended()) }
        guard let reply = try? JSONDecoder().decode(RunnerReply.self, from: Data(line)), reply.id == id else {
            terminate(.corrupted)
            return .failure(await ended())
        }
        return .success(reply)
    }

    private func nextLine() async -> [UInt8]? {
        if !lines.isEmpty { return lines.removeFirst() }
        if exited { return nil }
        return await withCheckedContinuation { waiter = $0 }
    }

    /// Waits for the process to be gone and says why.
    private func ended() async -> SessionEnd {
        await waitForExit()
        return end ?? .closed
    }

    private func receive(_ line: [UInt8]) {
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: line)
        } else {
            lines.append(line)
            // Only the greeting may arrive unasked; anything more was written by the code.
            if lines.count > 1 { terminate(.corrupted) }
        }
    }

    private func launch(_ plan: LaunchPlan, onExit: @escaping @Sendable () -> Void) {
        Task {
            let how = await run(plan)
            if let directory = plan.privateDirectory { try? FileManager.default.removeItem(atPath: directory) }
            finish(how, outOfMemory: (plan.group?.outOfMemoryKills ?? 0) > 0)
            onExit()
            // Processes of the ending PID namespace are reaped by the host's init, which can take seconds:
            // nobody waits for that.
            await plan.group?.remove()
        }
    }

    /// Runs the process to its end and says how it ended.
    private func run(_ plan: LaunchPlan) async -> String {
        do {
            let result = try await Subprocess.run(
                plan.configuration, input: .inputWriter, output: .sequence, error: .sequence
            ) { execution in
                attach(Channel(writer: execution.standardInputWriter, kill: { try? execution.send(signal: .kill) }))
                async let diagnostics = Self.tail(of: execution.standardError)
                await pump(execution.standardOutput)
                // The channel closed: let the process exit by itself, so its status says why, then make sure.
                if await !Self.exits(execution.processIdentifier, within: .seconds(2)) {
                    try? execution.send(signal: .kill)
                }
                channel = nil
                return await diagnostics
            }
            return Self.describe(result.terminationStatus, diagnostics: result.closureResult)
        } catch {
            return "could not be started: \(error)"
        }
    }

    private func attach(_ channel: Channel) {
        self.channel = channel
        if end != nil { channel.kill() }
    }

    private func pump(_ output: SubprocessOutputSequence) async {
        var splitter = LineSplitter(limit: replyLimit)
        do {
            for try await buffer in output {
                splitter.limit = replyLimit
                let lines = try buffer.withUnsafeBytes { (bytes) throws(LineSplitter.Overflow) in
                    try splitter.append(bytes)
                }
                for line in lines { receive(line) }
            }
        } catch is LineSplitter.Overflow {
            terminate(.corrupted)
        } catch {
            // Reading stops when the process exits; its status tells the rest.
        }
    }

    private func finish(_ how: String, outOfMemory: Bool) {
        exited = true
        channel = nil
        if end == nil { end = outOfMemory ? .outOfMemory(memoryBytes) : .died(how) }
        waiter?.resume(returning: nil)
        waiter = nil
        for waiter in exitWaiters { waiter.resume() }
        exitWaiters = []
    }

    /// Whether the process exits within `limit`, without reaping it (Subprocess does that). Without a process
    /// descriptor (Linux before 5.3) it cannot tell, and says yes rather than kill a reaped pid.
    private static func exits(_ process: ProcessIdentifier, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: process.processDescriptor, events: Int16(POLLIN), revents: 0)
            if process.processDescriptor < 0 || poll(&descriptor, 1, 0) != 0 { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// The last bytes the process wrote to stderr (bwrap's and Python's own errors).
    private static func tail(of stream: SubprocessOutputSequence) async -> String {
        var kept: [UInt8] = []
        do {
            for try await buffer in stream {
                buffer.withUnsafeBytes { kept.append(contentsOf: $0) }
                if kept.count > stderrKept { kept.removeFirst(kept.count - stderrKept) }
            }
        } catch {}
        return String(decoding: kept, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func describe(_ status: TerminationStatus, diagnostics: String) -> String {
        var how: String
        switch status {
        case .exited(let code) where code > 128: how = describe(signal: code - 128)  // bwrap's way to report a signal
        case .exited(let code): how = "exited with status \(code)"
        case .signaled(let signal): how = describe(signal: signal)
        }
        if !diagnostics.isEmpty { how += " (\(diagnostics))" }
        return how
    }

    private static func describe(signal: Int32) -> String {
        switch signal {
        case SIGXCPU: "exceeded its CPU time limit"
        case SIGKILL: "was killed (SIGKILL)"
        case SIGSEGV: "crashed (SIGSEGV)"
        default: "was killed by signal \(signal)"
        }
    }
}

extension SessionEnd: CustomStringConvertible {
    var description: String {
        switch self {
        case .timedOut(let limit): "execution timed out after \(limit.inSeconds)"
        case .cancelled: "execution was cancelled"
        case .corrupted: "the code wrote to the session's control channel"
        case .closed: "the session was closed"
        case .died(let how): "the Python process \(how)"
        case .runnerFailed(let why): "the session's runner failed (\(why))"
        case .outOfMemory(let limit):
            "its processes together reached the session's memory limit of \(ByteCount(limit)) and were killed"
        }
    }
}

extension Duration {
    /// "60 s", "1.5 s".
    var inSeconds: String {
        let (seconds, attoseconds) = components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}

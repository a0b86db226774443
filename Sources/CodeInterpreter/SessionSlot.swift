import Foundation

/// The session of one key: runs its executions one at a time, restarts the session when it died, and
/// remembers which files it was given so that they are not sent twice.
actor SessionSlot {
    private let factory: SessionFactory
    private var session: Session?
    /// Name → digest of the contents written there in the current session.
    private var written: [String: Int] = [:]
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []
    private var retired = false
    private(set) var lastUsed = ContinuousClock.now

    init(factory: SessionFactory) {
        self.factory = factory
    }

    /// Runs `code` after the executions queued before it; nil if the slot was retired meanwhile.
    func execute(_ code: String, files: [SandboxFile]) async throws(CodeInterpreterError) -> ExecutionResult? {
        await acquire()
        defer {
            lastUsed = .now
            release()
        }
        guard !retired else { return nil }
        guard !Task.isCancelled else { throw .cancelled }
        let timeout = factory.launcher.configuration.executionTimeout
        var preface = "", notes: [String] = []
        if let ended = await session?.outcome {
            preface = "[The previous session ended (\(ended)); this code runs in a fresh one, "
                + "without the earlier variables and files.]\n"
            reset()
        }
        let session = try await current()
        guard !retired else {  // retired while the session was starting
            await session.terminate(.closed)
            return nil
        }
        var result = ExecutionResult(output: "", failed: false)
        do throws(SessionEnd) {
            for file in files {
                let digest = Self.digest(file.contents)
                guard written[file.name] != digest else { continue }
                let reply = try await session.call(.put(file), timeout: timeout)
                if reply.ok {
                    written[file.name] = digest
                } else {
                    notes.append("[Could not write \(file.name) to /mnt/data: \(reply.error ?? "unknown error")]")
                }
            }
            let reply = try await session.call(.exec(code), timeout: timeout)
            guard reply.ok else {  // errors of the code are output: this is the runner itself
                let failure = SessionEnd.runnerFailed(reply.error ?? "unknown error")
                await session.terminate(failure)
                throw failure
            }
            result.output = reply.output ?? ""
            result.failed = reply.failed ?? false
            result.images = reply.images ?? []
            for listed in reply.files ?? [] {
                written[listed.name] = nil
                let file = try await session.call(.get(listed.name), timeout: timeout)
                if let contents = file.data {
                    result.files.append(SandboxFile(name: listed.name, contents: contents))
                } else {
                    notes.append("[\(listed.name) was not returned: \(file.error ?? "unknown error")]")
                }
            }
        } catch {
            notes.append(
                "[The session was reset: \(error). Variables and files in /mnt/data are gone; "
                    + "the next execution starts a fresh session.]")
            result.failed = true
            reset()
        }
        result.output = preface + result.output
        for note in notes {
            if !result.output.isEmpty && !result.output.hasSuffix("\n") { result.output += "\n" }
            result.output += note + "\n"
        }
        return result
    }

    /// Ends the session now, even mid-execution, and refuses later executions.
    func retire() async {
        retired = true
        guard let session else { return }
        await session.terminate(.closed)
        await session.waitForExit()
    }

    /// Retires the slot if it has been unused since `cutoff`.
    func retireIfIdle(since cutoff: ContinuousClock.Instant) async -> Bool {
        guard !busy, lastUsed < cutoff else { return false }
        await retire()
        return true
    }

    private func current() async throws(CodeInterpreterError) -> Session {
        if let session { return session }
        let started = try await factory.start()
        session = started
        return started
    }

    private func reset() {
        session = nil
        written = [:]
    }

    private func acquire() async {
        if busy {
            await withCheckedContinuation { queue.append($0) }
        } else {
            busy = true
        }
    }

    private func release() {
        if queue.isEmpty {
            busy = false
        } else {
            queue.removeFirst().resume()  // ownership passes straight to the next in line
        }
    }

    private static func digest(_ data: Data) -> Int {
        var hasher = Hasher()
        data.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }
}

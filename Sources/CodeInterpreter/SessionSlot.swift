import Foundation

/// The session of one key: runs its executions one at a time, restarts the session when it died, remembers
/// which files it was given so that they are not sent twice, and keeps account of the bytes it hands out.
actor SessionSlot {
    private let factory: SessionFactory
    private var session: Session?
    /// Bytes of files and images returned over the slot's life, resets included (a reset must not renew the
    /// quota, or code could crash its session to store without bound).
    private var handedOut = 0
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
        let configuration = factory.launcher.configuration
        let timeout = configuration.executionTimeout
        func replyLimit(_ payload: Int) -> Int {
            RunnerRequest.replyLimit(
                payload: min(payload, configuration.maxFileBytes), outputLimit: configuration.outputLimit)
        }
        var left: Int { max(0, configuration.diskQuotaBytes - handedOut) }
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
            let reply = try await session.call(
                .exec(code, imageLimit: left), timeout: timeout, replyLimit: replyLimit(left))
            guard reply.ok else {  // errors of the code are output: this is the runner itself
                let failure = SessionEnd.runnerFailed(reply.error ?? "unknown error")
                await session.terminate(failure)
                throw failure
            }
            result.output = reply.output ?? ""
            result.failed = reply.failed ?? false
            for image in reply.images ?? [] where image.count <= left {  // the runner keeps within the limit
                handedOut += image.count
                result.images.append(image)
            }
            for listed in reply.files ?? [] {
                written[listed.name] = nil
                guard listed.size <= left else {
                    notes.append(
                        "[\(listed.name) (\(ByteCount(listed.size))) was not returned: the files and images of this "
                            + "session may take \(ByteCount(configuration.diskQuotaBytes)) in all, and \(ByteCount(left)) "
                            + "are left.]")
                    continue
                }
                let file = try await session.call(
                    .get(listed.name, limit: left), timeout: timeout, replyLimit: replyLimit(left))
                if let contents = file.data {
                    handedOut += contents.count
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

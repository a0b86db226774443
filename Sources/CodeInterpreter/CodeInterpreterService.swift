import Logging
import Metrics
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The code_interpreter tool: one stateful, sandboxed Python session per key (a thread id).
///
/// Executions on one key run one at a time, in order; different keys run concurrently. As a `Service`, `run()`
/// reclaims idle sessions and kills them all on graceful shutdown.
///
/// Creating the service ignores SIGPIPE process-wide: a session that dies while the server writes to it must
/// not take the server down.
public final class CodeInterpreterService: Service, Sendable {
    private struct State {
        var slots: [String: SessionSlot] = [:]
        var isShutDown = false
    }

    private let configuration: SandboxConfiguration
    private let factory: Result<SessionFactory, CodeInterpreterError>
    private let state = Mutex(State())

    /// `metrics` receives the count of live sessions (`assistants_code_interpreter_sessions`).
    public init(
        configuration: SandboxConfiguration = .init(), logger: Logger = Logger(label: "code-interpreter"),
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        signal(SIGPIPE, SIG_IGN)
        self.configuration = configuration
        do throws(CodeInterpreterError) {
            let isRoot = geteuid() == 0
            let launcher = try SandboxLauncher(configuration: configuration, switchesUser: isRoot)
            if case .none = launcher.isolation {
                logger.critical(
                    """
                    bubblewrap is not installed and allowUnsandboxed is set: code interpreter sessions run \
                    WITHOUT A SANDBOX, with access to the host's files and network. \
                    Install bubblewrap (`apt-get install bubblewrap`).
                    """)
            } else if launcher.seccomp == nil {
                logger.warning("code interpreter: no seccomp filter is applied on this architecture (only x86_64 and aarch64 have one)")
            }
            Self.logMemoryIsolation(launcher, logger: logger)
            factory = .success(SessionFactory(launcher: launcher, perSessionUIDs: isRoot, logger: logger, metrics: metrics))
        } catch {
            logger.error("code interpreter unavailable: \(error)")
            factory = .failure(error)
        }
    }

    /// Runs code in the session for `key`, creating it if needed; `files` are written to /mnt/data first
    /// (skipping ones already written with the same name and contents).
    public func execute(
        _ code: String, session key: String, files: [SandboxFile]
    ) async throws(CodeInterpreterError) -> ExecutionResult {
        let factory = try factory.get()
        for file in files { try Self.validate(file.name) }
        while true {
            let slot = try state.withLock { state throws(CodeInterpreterError) in
                guard !state.isShutDown else { throw .shutDown }
                if let slot = state.slots[key] { return slot }
                let slot = SessionSlot(factory: factory)
                state.slots[key] = slot
                return slot
            }
            // nil: the slot was retired (idle, ended, shut down) while this call waited for it.
            if let result = try await slot.execute(code, files: files) { return result }
        }
    }

    /// Kills the session of `key`, if any, even mid-execution.
    public func endSession(_ key: String) async {
        let slot = state.withLock { $0.slots.removeValue(forKey: key) }
        await slot?.retire()
    }

    /// Whether `key` has a session (its process may still be starting, or idle).
    public func hasSession(_ key: String) -> Bool {
        state.withLock { $0.slots[key] != nil }
    }

    /// The keys that have a session.
    public var sessionKeys: [String] {
        state.withLock { Array($0.slots.keys) }
    }

    /// Sessions whose process is running.
    public var activeSessions: Int {
        (try? factory.get().liveSessions) ?? 0
    }

    public func run() async throws {
        let interval = min(max(configuration.idleTimeout / 4, .milliseconds(100)), .seconds(60))
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                await self.reclaimIdleSessions()
            }
        }
        await shutdown()
    }

    /// Kills every session; later executions throw `shutDown`.
    public func shutdown() async {
        let slots = state.withLock { state in
            state.isShutDown = true
            defer { state.slots = [:] }
            return Array(state.slots.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for slot in slots { group.addTask { await slot.retire() } }
        }
    }

    private func reclaimIdleSessions() async {
        let cutoff = ContinuousClock.now - configuration.idleTimeout
        for (key, slot) in state.withLock({ $0.slots }) where await slot.retireIfIdle(since: cutoff) {
            state.withLock { state in
                if state.slots[key] === slot { state.slots[key] = nil }
            }
        }
    }

    /// One line at startup on how a session's memory is bounded; a warning where it is only per process.
    private static func logMemoryIsolation(_ launcher: SandboxLauncher, logger: Logger) {
        let ceiling = ByteCount(launcher.configuration.memoryBytes)
        switch launcher.memory {
        case .cgroupV2(let directory):
            logger.info("code interpreter: each session's memory is limited to \(ceiling) by a cgroup v2 group under \(directory)")
        case .cgroupV1(let memory, _):
            logger.info("code interpreter: each session's memory is limited to \(ceiling) by a cgroup v1 memory group under \(memory)")
        case .processLimits(let reason):
            logger.warning(
                """
                code interpreter: no writable cgroup (\(reason)), so a session's memory is limited only per \
                process: \(ceiling) of address space each, at most \(SandboxConfiguration.fallbackProcesses) \
                processes and threads, and its /mnt/data, /tmp and /dev/shm on top. Run the server as root, or \
                delegate a cgroup v2 group to it, for one ceiling per session.
                """)
        }
    }

    /// Names are relative paths inside /mnt/data.
    private static func validate(_ name: String) throws(CodeInterpreterError) {
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\0"),
            !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
        else { throw .invalidFileName(name) }
    }
}

import Logging
import Metrics
import Synchronization

/// Starts sessions and keeps account of them: how many are alive and which uids they hold.
final class SessionFactory: Sendable {
    /// Sessions of a root server run as 100000 + n, one uid each, so that RLIMIT_NPROC (which root escapes)
    /// applies and no session can signal another. Shared by all services of the process.
    private static let uids = Mutex(Set<UInt32>())
    private static let firstUID: UInt32 = 100_000

    let launcher: SandboxLauncher
    private let logger: Logger
    private let live = Mutex(0)
    private let perSessionUIDs: Bool
    /// `assistants_code_interpreter_sessions`: the same count, for the metrics endpoint.
    private let liveGauge: Meter

    init(launcher: SandboxLauncher, perSessionUIDs: Bool, logger: Logger, metrics: any MetricsFactory) {
        self.launcher = launcher
        self.perSessionUIDs = perSessionUIDs
        self.logger = logger
        liveGauge = Meter(label: "assistants_code_interpreter_sessions", factory: metrics)
    }

    var liveSessions: Int { live.withLock { $0 } }

    func start() async throws(CodeInterpreterError) -> Session {
        let uid: UInt32? = perSessionUIDs ? Self.takeUID() : nil
        live.withLock { $0 += 1 }
        liveGauge.increment()
        let released = { @Sendable in
            self.live.withLock { $0 -= 1 }
            self.liveGauge.decrement()
            if let uid { _ = Self.uids.withLock { $0.remove(uid) } }
        }
        let plan: LaunchPlan
        do {
            plan = try await launcher.plan(userID: uid)
        } catch {
            released()
            throw error
        }
        let logger = logger
        do {
            let session = try await Session.start(plan) {
                released()
                logger.debug("code interpreter session ended", metadata: ["uid": "\(uid.map(String.init) ?? "-")"])
            }
            logger.debug("code interpreter session started", metadata: ["uid": "\(uid.map(String.init) ?? "-")"])
            return session
        } catch {
            if error != .cancelled { logger.error("code interpreter session failed to start: \(error)") }
            throw error
        }
    }

    private static func takeUID() -> UInt32 {
        uids.withLock { uids in
            var uid = firstUID
            while uids.contains(uid) { uid += 1 }
            uids.insert(uid)
            return uid
        }
    }
}

import AssistantsAPI
import AssistantsStore
import Logging

/// Ends runs: sets the terminal status and closes whatever the run left open (steps in progress, a
/// message being written), then tells streaming clients. Used by the executor, cancel, expiry and recovery.
struct RunFinalizer {
    enum Ending: Sendable {
        case completed
        case failed(RunError)
        case incomplete(RunIncomplete)
        case cancelled
        case expired
    }

    let store: any AssistantsStore
    let hub: any RunEventBus
    let clock: any WallClock
    let logger: Logger
    var metrics: EngineMetrics = .none

    /// Nil when the run is gone or had already ended.
    @discardableResult
    func end(runID: String, threadID: String, as ending: Ending) async throws -> Run? {
        let now = clock.now()
        let openSteps = try await store.allSteps(runID: runID).filter { $0.status == .inProgress }.map { step in
            var step = step
            switch ending {
            case .completed, .incomplete: step.status = .completed; step.completedAt = now; step.usage = step.usage ?? step.pendingUsage ?? Usage()
            case .failed(let error): step.status = .failed; step.failedAt = now; step.lastError = error
            case .cancelled: step.status = .cancelled; step.cancelledAt = now
            case .expired: step.status = .expired; step.expiredAt = now
            }
            return step
        }
        let openMessages = try await store.openMessages(runID: runID, threadID: threadID).map {
            var message = $0
            message.status = .incomplete
            message.incompleteAt = now
            message.incompleteDetails = .init(reason: ending.messageReason)
            return message
        }
        let run: Run?
        do {
            run = try await store.updateRun(id: runID, threadID: threadID, saving: openMessages, openSteps) { run in
                guard !run.status.isTerminal else { throw AlreadyEnded() }
                run.expiresAt = nil
                run.usage = run.usageSoFar ?? Usage()
                switch ending {
                case .completed: run.status = .completed; run.completedAt = now
                case .failed(let error): run.status = .failed; run.failedAt = now; run.lastError = error
                case .incomplete(let reason): run.status = .incomplete; run.incompleteDetails = .init(reason: reason.reason)
                case .cancelled: run.status = .cancelled; run.cancelledAt = now
                case .expired: run.status = .expired
                }
                run.requiredAction = nil
            }
        } catch is AlreadyEnded {
            return nil
        }
        guard let run else { return nil }
        log(run)
        metrics.runEnded(run.status)
        for message in openMessages { hub.publish(.message(message), runID: runID) }
        for step in openSteps { hub.publish(.step(step), runID: runID) }
        hub.publish(.run(run), runID: runID)
        return run
    }

    private struct AlreadyEnded: Error {}

    /// Every run's end, at `info`; a failure at `warning`, with the error that ended it.
    private func log(_ run: Run) {
        var metadata: Logger.Metadata = [
            "run_id": "\(run.id)", "thread_id": "\(run.threadID)", "status": "\(run.status.rawValue)", "model": "\(run.model)",
        ]
        if let error = run.lastError {
            metadata["last_error.code"] = "\(error.code)"
            metadata["last_error.message"] = "\(error.message)"
        }
        if let reason = run.incompleteDetails?.reason { metadata["incomplete_reason"] = "\(reason)" }
        logger.log(level: run.status == .failed ? .warning : .info, "run ended", metadata: metadata)
    }
}

extension RunFinalizer.Ending {
    /// The run's status once it has ended so.
    var status: Run.Status {
        switch self {
        case .completed: .completed
        case .failed: .failed
        case .incomplete: .incomplete
        case .cancelled: .cancelled
        case .expired: .expired
        }
    }

    /// `incomplete_details.reason` of a message the run was writing.
    var messageReason: String {
        switch self {
        case .completed, .incomplete: "max_tokens"
        case .failed: "run_failed"
        case .cancelled: "run_cancelled"
        case .expired: "run_expired"
        }
    }
}

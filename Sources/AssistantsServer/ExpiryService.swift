import AssistantsEngine
import AssistantsStore
import Logging
import ServiceLifecycle

/// Once a minute, ends what has expired, as OpenAI's API does: uploads past their `expires_at` are
/// deleted (as `DELETE /files/{id}` would: out of every vector store and the search index); vector stores
/// past theirs become `expired` and their chunks are dropped; containers idle for their `expires_after`
/// become `expired` and their files are deleted; runs' stream events past their retention are deleted.
/// With several nodes, one of them sweeps each minute (`WorkDispatch.claimSweep`).
struct ExpiryService: Service {
    let vectorStores: VectorStores
    /// Expires containers, ending their sessions.
    let engine: RunEngine
    let dispatch: any WorkDispatch
    let logger: Logger
    /// Where runs' stream events are kept, and for how long.
    let eventRetention: any RunEventRetention
    let eventRetentionPolicy: RunEventRetentionPolicy
    var interval: Duration = .seconds(60)

    func run() async throws {
        // Sleeping must not hold up a graceful shutdown: it ends this loop at once.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweepIfDue()
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Sweeps unless another node has in this interval.
    func sweepIfDue() async {
        do {
            guard try await dispatch.claimSweep("files.expiry", every: interval) else { return }
        } catch {
            logger.error("expiring files, vector stores and containers failed", metadata: ["error": "\(error)"])
            return
        }
        await sweep()
    }

    func sweep() async {
        let now = vectorStores.clock.now()
        do {
            for id in try await vectorStores.deleteExpiredFiles(now: now) {
                logger.info("deleted expired file", metadata: ["file_id": "\(id)"])
            }
            for id in try await vectorStores.expire(now: now) {
                logger.info("vector store expired", metadata: ["vector_store_id": "\(id)"])
            }
        } catch {
            logger.error("expiring files and vector stores failed", metadata: ["error": "\(error)"])
        }
        do {
            for id in try await engine.expireContainers(now: now) {
                logger.info("container expired", metadata: ["container_id": "\(id)"])
            }
        } catch {
            logger.error("expiring containers failed", metadata: ["error": "\(error)"])
        }
        do {
            try await eventRetention.pruneEvents(eventRetentionPolicy)
        } catch {
            logger.error("pruning runs' stream events failed", metadata: ["error": "\(error)"])
        }
    }
}

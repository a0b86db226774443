import AssistantsStore
import Logging
import ServiceLifecycle

/// Deletes files whose `expires_at` has passed, once a minute, as OpenAI's API does with expiring uploads.
struct FileExpiryService: Service {
    let store: any AssistantsStore
    let blobs: any BlobStore
    let logger: Logger
    var interval: Duration = .seconds(60)

    func run() async throws {
        // Sleeping must not hold up a graceful shutdown: it ends this loop at once.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                try await Task.sleep(for: interval)
            }
        }
    }

    func sweep() async {
        do {
            for id in try await store.deleteExpiredFiles(now: unixNow()) {
                try? blobs.delete(id: id)
                logger.info("deleted expired file", metadata: ["file_id": "\(id)"])
            }
        } catch {
            logger.error("expiring files failed", metadata: ["error": "\(error)"])
        }
    }
}

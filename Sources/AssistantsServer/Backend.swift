import AssistantsEngine
import AssistantsStore
import Foundation
import Logging
import PostgresStore
import Retrieval
import SQLiteStore
import ServiceLifecycle

/// What the configured backend provides: the store, the blob store for file contents and the storage of
/// vector stores' chunks that go with it, how this node shares work and runs' stream events with the
/// others on it, what `/health` asks about it, and the services that keep its connections open and its
/// node alive (PostgreSQL).
struct Backend {
    var store: any AssistantsStore
    var blobs: any BlobStore
    var dispatch: any WorkDispatch
    /// Which node holds each thread's code interpreter session.
    var sessions: any SessionPlacement
    /// Carries runs' stream events to the clients streaming them, on every node.
    var events: any RunEventBus
    /// Where `events` keeps them for replaying, pruned by the expiry sweep.
    var eventRetention: any RunEventRetention
    /// Where vector stores' chunks live.
    var chunks: any ChunkStorage
    var health: any HealthCheck
    /// Counts each key's requests per minute, on every node.
    var requests: any RequestCounter
    var services: [any Service]
}

/// The store the configuration names, opened and brought up to date. The one place that chooses a backend.
enum OpenedStore {
    case sqlite(SQLiteStore)
    case postgres(PostgresStore)

    init(_ configuration: ServerConfiguration, logger: Logger) async throws {
        switch configuration.database() {
        case .sqlite(let path):
            self = .sqlite(try SQLiteStore(path: path))
        case .postgres(let url):
            do {
                var postgres = try PostgresStore.Configuration(url: url, poolSize: configuration.databasePoolSize)
                postgres.connectTimeout = configuration.databaseConnectTimeout
                self = .postgres(try await PostgresStore(configuration: postgres, logger: logger))
            } catch let error as PostgresStore.ConfigurationError {
                throw ConfigurationError(error.description)
            }
        }
    }

    var store: any AssistantsStore {
        switch self {
        case .sqlite(let store): store
        case .postgres(let store): store
        }
    }

    /// Closes the connections a command opened (a server's services close them when it stops).
    func close() async {
        if case .postgres(let store) = self { await store.close() }
    }
}

/// The backend the configuration names, built on its store.
///
/// On SQLite, file contents are files in the data directory; on PostgreSQL they are in the database, so
/// that every node serves every file, and the data directory keeps only this node's uploads in progress.
func openBackend(_ configuration: ServerConfiguration, logger: Logger) async throws -> Backend {
    let files = configuration.filesDirectory
    switch try await OpenedStore(configuration, logger: logger) {
    case .sqlite(let store):
        // The bus keeps the events it publishes in the store's `run_event` table.
        let events = try InProcessEventBus(log: store, logger: logger)
        return Backend(
            store: store, blobs: try FileSystemBlobStore(root: files),
            dispatch: LocalWorkDispatch(store: store, nodeID: configuration.nodeID), sessions: LocalSessionPlacement(),
            events: events, eventRetention: store,
            chunks: try SQLiteChunkStorage(path: configuration.searchIndexPath), health: InProcessHealthCheck(),
            requests: InProcessRequestCounter(), services: [events])
    case .postgres(let store):
        let blobs = try PostgresBlobStore(store: store, stagingBase: files.appendingPathComponent(".staging", isDirectory: true))
        let dispatch = try await PostgresWorkDispatch(store: store, configuration: .init(nodeID: configuration.nodeID, leaseTTL: configuration.nodeLeaseTTL))
        let events = PostgresEventBus(store: store)
        // Services shut down in reverse order, after the engine and ingestion listed later: the bus first
        // (it writes the engine's last events), then the node's heartbeat, which must outlast the runs and
        // files it owns, then the store.
        return Backend(
            store: store, blobs: blobs, dispatch: dispatch, sessions: dispatch.makeSessionPlacement(), events: events,
            eventRetention: store, chunks: store.makeChunkStorage(), health: PostgresHealthCheck(store: store),
            requests: PostgresRequestCounter(store: store), services: [store, dispatch, events])
    }
}

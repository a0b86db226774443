import AssistantsStore
import Foundation
import Logging
import PostgresStore
import Retrieval
import SQLiteStore

/// A single-node deployment to copy: its SQLite database and the data directory beside it (uploads in
/// `files/`, chunks in `search-index.sqlite`), as `assistants serve` lays them out.
public struct MigrationSource: Sendable, Equatable {
    public var database: String
    public var dataDirectory: URL

    /// `from` is a data directory (what `--data-dir` named), or its database as a `sqlite:` URL or a path;
    /// a database's data directory is `dataDirectory` when given, else the directory the file is in.
    public init(from: String, dataDirectory: String? = nil) throws(MigrationError) {
        guard case .sqlite(let path) = ServerConfiguration(databaseURL: from).database() else {
            throw MigrationError("--from must name a SQLite deployment (a data directory or a sqlite:///path URL), not '\(from)'.")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MigrationError("Nothing to migrate: '\(path)' does not exist. --from names a data directory or its SQLite file.")
        }
        if isDirectory.boolValue {
            let directory = URL(fileURLWithPath: path, isDirectory: true)
            guard case .sqlite(let file) = ServerConfiguration(dataDirectory: directory).database(),
                FileManager.default.fileExists(atPath: file)
            else { throw MigrationError("Nothing to migrate: '\(path)' holds no assistants.sqlite; is it the server's data directory?") }
            self.init(database: file, dataDirectory: directory)
        } else {
            let file = URL(fileURLWithPath: path)
            self.init(database: file.path, dataDirectory: dataDirectory.map { URL(fileURLWithPath: $0) } ?? file.deletingLastPathComponent())
        }
    }

    public init(database: String, dataDirectory: URL) {
        self.database = database
        self.dataDirectory = dataDirectory
    }
}

/// Copies the deployment at `source` into the PostgreSQL database `target` (see `DeploymentCopy`): refuses
/// while a server runs on the source, or when the target holds records. `progress` is told each step.
///
/// Runs left active go over as a restart finds them: queued ones wait for any node; one `in_progress` is
/// ended by the first node's recovery, as a run a stopped node left.
public func migrate(
    from source: MigrationSource, to target: PostgresStore.Configuration, logger: Logger,
    progress: @escaping @Sendable (String) -> Void
) async throws -> MigrationSummary {
    let layout = ServerConfiguration(dataDirectory: source.dataDirectory, databaseURL: source.database)
    let staging = layout.filesDirectory.appendingPathComponent(".staging", isDirectory: true)
    // Before making a staging directory of our own there: it would count.
    guard !StagingDirectory.isInUse(base: staging) else {
        throw MigrationError(
            "A server is running on \(source.dataDirectory.path): stop it first, so that nothing changes while it is copied.")
    }
    progress("Source: \(source.database), files in \(layout.filesDirectory.path)")
    let sourceStore: SQLiteStore, sourceChunks: SQLiteChunkStorage?, sourceBlobs: FileSystemBlobStore
    do {
        sourceStore = try SQLiteStore(path: source.database)
        sourceChunks = FileManager.default.fileExists(atPath: layout.searchIndexPath) ? try SQLiteChunkStorage(path: layout.searchIndexPath) : nil
        sourceBlobs = try FileSystemBlobStore(root: layout.filesDirectory)
    } catch {
        throw MigrationError("Could not open the deployment in \(source.dataDirectory.path): \(error)")
    }

    progress("Target: PostgreSQL database \(target.database) at \(target.host):\(target.port)")
    let targetStore: PostgresStore
    do {
        targetStore = try await PostgresStore(configuration: target, logger: logger)
    } catch let error as PostgresStore.ConfigurationError {
        throw MigrationError(error.description)
    }
    do {
        let copy = DeploymentCopy(
            source: .init(rows: sourceStore, blobs: sourceBlobs, chunks: sourceChunks),
            target: .init(
                rows: targetStore, blobs: try PostgresBlobStore(store: targetStore, stagingBase: staging),
                chunks: targetStore.makeChunkStorage()),
            progress: progress)
        let summary = try await copy.run()
        await targetStore.close()
        return summary
    } catch let error as MigrationError {
        await targetStore.close()
        throw error
    } catch {
        await targetStore.close()
        // The database's own errors say little in their description; their reflection says what happened.
        throw MigrationError(
            "The copy failed, and no records were committed to the target: run the migration again once the cause is fixed. "
                + String(reflecting: error))
    }
}

/// `migrate` with the target given by its `postgres://` URL.
public func migrate(
    from source: MigrationSource, to url: String, logger: Logger, progress: @escaping @Sendable (String) -> Void
) async throws -> MigrationSummary {
    let target: PostgresStore.Configuration
    do {
        target = try PostgresStore.Configuration(url: url, poolSize: 4)
    } catch {
        throw MigrationError("--to: \(error.description)")
    }
    return try await migrate(from: source, to: target, logger: logger, progress: progress)
}

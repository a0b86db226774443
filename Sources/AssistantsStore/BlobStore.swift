import Foundation

/// Where file contents live. An upload is written to a staging file first and becomes visible under its
/// id only once complete, so a crash mid-upload leaves no half-written file behind.
public protocol BlobStore: Sendable {
    /// A new, empty staging file to write an upload into.
    func makeStagingFile() throws -> URL
    /// Makes a finished staging file the contents of `id`.
    func commit(_ staged: URL, as id: String) throws
    func discard(_ staged: URL)
    /// A local path to read the contents of `id` from, if it exists.
    func path(of id: String) -> String?
    func delete(id: String) throws
}

/// Blobs as plain files in a directory: `<root>/<id>`, staging in `<root>/.staging`.
public struct FileSystemBlobStore: BlobStore {
    public let root: URL
    private var staging: URL { root.appendingPathComponent(".staging", isDirectory: true) }

    /// Creates the directories and removes staging files left by an interrupted run.
    public init(root: URL) throws {
        self.root = root
        let manager = FileManager.default
        try? manager.removeItem(at: root.appendingPathComponent(".staging", isDirectory: true))
        try manager.createDirectory(at: root.appendingPathComponent(".staging", isDirectory: true), withIntermediateDirectories: true)
    }

    public func makeStagingFile() throws -> URL {
        let url = staging.appendingPathComponent(UUID().uuidString)
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        return url
    }

    public func commit(_ staged: URL, as id: String) throws {
        guard let destination = location(of: id) else { throw CocoaError(.fileWriteInvalidFileName) }
        try FileManager.default.moveItem(at: staged, to: destination)
    }

    public func discard(_ staged: URL) {
        try? FileManager.default.removeItem(at: staged)
    }

    public func path(of id: String) -> String? {
        guard let path = location(of: id)?.path, FileManager.default.fileExists(atPath: path) else { return nil }
        return path
    }

    public func delete(id: String) throws {
        guard let url = location(of: id), FileManager.default.fileExists(atPath: url.path) else { return }
        try FileManager.default.removeItem(at: url)
    }

    /// Ids are server-generated (`file-` and base62); anything else names no blob.
    private func location(of id: String) -> URL? {
        let safe = !id.isEmpty && id.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
        return safe ? root.appendingPathComponent(id) : nil
    }
}

extension BlobStore {
    /// Stores bytes the server made itself (a tool's output) under `id`.
    public func write(_ data: Data, as id: String) throws {
        let staged = try makeStagingFile()
        do {
            try data.write(to: staged)
            try commit(staged, as: id)
        } catch {
            discard(staged)
            throw error
        }
    }

    /// The contents of `id`, if it exists.
    public func read(_ id: String) -> Data? {
        path(of: id).flatMap { FileManager.default.contents(atPath: $0) }
    }
}

import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blobs as plain files in a directory on one machine, for a single node: `<root>/<id>`, uploads staged in
/// this process's own directory under `<root>/.staging` (on the same file system, so that `commit` is an
/// atomic rename).
public struct FileSystemBlobStore: BlobStore {
    public let root: URL
    private let staging: StagingDirectory
    /// The most one chunk of `contents(of:)` holds.
    let chunkSize: Int

    /// Creates the directories, and removes the staging files that ended processes left.
    public init(root: URL, chunkSize: Int = 256 << 10) throws {
        precondition(chunkSize > 0)
        self.root = root
        self.chunkSize = chunkSize
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        staging = try StagingDirectory(base: root.appendingPathComponent(".staging", isDirectory: true))
    }

    public func makeStagingFile() throws -> URL {
        try staging.makeFile()
    }

    /// A rename within one file system: atomic, and refused when `id` exists.
    public func commit(_ staged: URL, as id: String) async throws {
        guard let destination = location(of: id) else { throw BlobStoreError.invalidID(id) }
        try FileManager.default.moveItem(at: staged, to: destination)
    }

    public func discard(_ staged: URL) {
        try? FileManager.default.removeItem(at: staged)
    }

    /// The file is opened at once, so a blob deleted while it is read is still read whole.
    public func contents(of id: String) async throws -> BlobContents? {
        guard let url = location(of: id) else { return nil }
        let file: BlobFile
        do {
            file = try await BlobFile.open(url)
        } catch let error as IOError where error.errnoCode == ENOENT {
            return nil
        }
        let chunkSize = chunkSize
        return BlobContents(id: id, size: try file.size()) { _, offset in
            try await file.read(at: offset, upTo: chunkSize)
        }
    }

    /// The blob's own file.
    public func withLocalFile<Result: Sendable>(_ id: String, _ body: @Sendable (URL) async throws -> Result) async throws -> Result? {
        guard let url = location(of: id), FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try await body(url)
    }

    public func delete(id: String) async throws {
        guard let url = location(of: id), FileManager.default.fileExists(atPath: url.path) else { return }
        try FileManager.default.removeItem(at: url)
    }

    private func location(of id: String) -> URL? {
        BlobID.isValid(id) ? root.appendingPathComponent(id) : nil
    }
}

import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open local file read or written a chunk at a time on NIO's thread pool, off the cooperative
/// threads: blobs go through this on their way in and out. Reads take an offset (`pread`), so any number
/// of readers can share one. The file is closed when the last reference goes.
public final class BlobFile: Sendable {
    private let descriptor: Int32
    private let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// Opens an existing file for reading.
    public static func open(_ url: URL) async throws -> BlobFile {
        try await openFile(url.path, flags: O_RDONLY)
    }

    /// Creates a new file (replacing nothing: it must not exist) for writing, readable by this user only.
    public static func create(_ url: URL) async throws -> BlobFile {
        try await openFile(url.path, flags: O_WRONLY | O_CREAT | O_EXCL)
    }

    private static func openFile(_ path: String, flags: Int32) async throws -> BlobFile {
        try await NIOThreadPool.singleton.runIfActive {
            let descriptor = systemOpen(path, flags | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "open \(path)") }
            return BlobFile(descriptor: descriptor, path: path)
        }
    }

    /// The file's size now.
    public func size() throws -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw IOError(errnoCode: errno, reason: "fstat \(path)") }
        return Int(info.st_size)
    }

    /// Up to `count` bytes from `offset`: fewer only at the end of the file, none past it.
    public func read(at offset: Int, upTo count: Int) async throws -> ByteBuffer {
        try await NIOThreadPool.singleton.runIfActive { [descriptor, path] in
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            var atEnd = false
            while !atEnd && buffer.readableBytes < count {
                let position = off_t(offset + buffer.readableBytes)
                let wanted = count - buffer.readableBytes
                var interrupted = false
                let read = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { pointer in
                    let result = pread(descriptor, pointer.baseAddress, wanted, position)
                    guard result >= 0 else {
                        guard errno == EINTR else { throw IOError(errnoCode: errno, reason: "read \(path)") }
                        interrupted = true
                        return 0
                    }
                    return result
                }
                atEnd = read == 0 && !interrupted
            }
            return buffer
        }
    }

    /// Writes all of `buffer` at the end of what was written so far.
    public func append(_ buffer: ByteBuffer) async throws {
        try await NIOThreadPool.singleton.runIfActive { [descriptor, path] in
            var buffer = buffer
            while buffer.readableBytes > 0 {
                let written = try buffer.withUnsafeReadableBytes { pointer in
                    let result = write(descriptor, pointer.baseAddress, pointer.count)
                    guard result >= 0 || errno == EINTR else { throw IOError(errnoCode: errno, reason: "write \(path)") }
                    return max(result, 0)
                }
                buffer.moveReaderIndex(forwardBy: written)
            }
        }
    }
}

/// `open(2)`, which Swift's overlay hides behind a variadic.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// This process's own directory for files on their way into the blob store (uploads being received) or
/// out of it (local copies), under a `base` that processes may share: two nodes on one machine with one
/// data directory, or a process restarting.
///
/// Each process makes a directory of its own under `base` and holds an exclusive `flock` on its lock file
/// for as long as it lives; the kernel releases it when the process ends, however it ends. A process
/// starting removes only the directories whose lock it can take, those of processes that have ended, so
/// it never touches the uploads another live process is receiving.
public final class StagingDirectory: Sendable {
    /// The directory, which only this process uses.
    public let url: URL
    private let lock: Int32

    private static let lockName = ".lock"
    /// A directory being set up, before its lock is taken; one left by a crash at that moment is
    /// removed once it is this old.
    private static let pendingPrefix = "pending-"
    private static let pendingLifetime: TimeInterval = 3600

    /// Makes this process's directory under `base` (created if missing), after removing those of
    /// processes that have ended.
    public init(base: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: base, withIntermediateDirectories: true)
        Self.removeAbandoned(in: base)
        // Set up under a name other processes leave alone, lock, then rename: the directory is never
        // visible under its final name unlocked.
        let name = UUID().uuidString
        let pending = base.appendingPathComponent(Self.pendingPrefix + name, isDirectory: true)
        try manager.createDirectory(at: pending, withIntermediateDirectories: false)
        let lockPath = pending.appendingPathComponent(Self.lockName).path
        let lock = Self.systemOpen(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            if lock >= 0 { close(lock) }
            try? manager.removeItem(at: pending)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: lockPath])
        }
        let owned = base.appendingPathComponent(name, isDirectory: true)
        do {
            try manager.moveItem(at: pending, to: owned)
        } catch {
            close(lock)
            try? manager.removeItem(at: pending)
            throw error
        }
        self.url = owned
        self.lock = lock
    }

    /// Removes the directory and its files, and gives up the lock.
    deinit {
        try? FileManager.default.removeItem(at: url)
        close(lock)
    }

    /// A new, empty file in the directory.
    public func makeFile() throws -> URL {
        let file = url.appendingPathComponent(UUID().uuidString)
        guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
        return file
    }

    /// Whether a live process has its directory under `base`: a server using the data directory that `base`
    /// belongs to is running. This process's own directories count too (an `flock` belongs to the open
    /// file, not the process), so ask before making one there.
    public static func isInUse(base: URL) -> Bool {
        guard let entries = try? FileManager.default.contentsOfDirectory(at: base, includingPropertiesForKeys: [.isDirectoryKey])
        else { return false }
        return entries.contains { entry in
            guard (try? entry.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true,
                !entry.lastPathComponent.hasPrefix(pendingPrefix)
            else { return false }
            let lock = systemOpen(entry.appendingPathComponent(lockName).path, O_RDWR | O_CLOEXEC, 0)
            guard lock >= 0 else { return false }
            defer { close(lock) }
            return flock(lock, LOCK_EX | LOCK_NB) != 0
        }
    }

    /// Removes what ended processes left under `base`: directories whose lock is free, stale pending ones,
    /// and loose files (staging files of versions that kept them directly in `base`, one process at a time).
    private static func removeAbandoned(in base: URL) {
        let manager = FileManager.default
        guard let entries = try? manager.contentsOfDirectory(at: base, includingPropertiesForKeys: [.isDirectoryKey, .contentModificationDateKey])
        else { return }
        for entry in entries {
            let values = try? entry.resourceValues(forKeys: [.isDirectoryKey, .contentModificationDateKey])
            let name = entry.lastPathComponent
            guard values?.isDirectory == true else {
                try? manager.removeItem(at: entry)
                continue
            }
            if name.hasPrefix(pendingPrefix) {
                let age = Date().timeIntervalSince(values?.contentModificationDate ?? Date())
                if age > pendingLifetime { try? manager.removeItem(at: entry) }
                continue
            }
            let lock = systemOpen(entry.appendingPathComponent(lockName).path, O_RDWR | O_CLOEXEC, 0)
            guard lock >= 0 else { continue }
            // Held while removing, so that two processes starting at once do not both remove it.
            if flock(lock, LOCK_EX | LOCK_NB) == 0 { try? manager.removeItem(at: entry) }
            close(lock)
        }
    }

    private static func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
        open(path, flags, mode)
    }
}

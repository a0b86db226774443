import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How the memory of one session is bounded as a whole, decided once per process from what the host offers.
public enum MemoryIsolation: Sendable, Equatable {
    /// Each session gets a cgroup v2 group under `directory` with memory.max, memory.swap.max and pids.max.
    case cgroupV2(directory: String)
    /// Each session gets a group in cgroup v1's memory hierarchy under `memory` (memory.limit_in_bytes and
    /// memory.memsw.limit_in_bytes), and under `pids` in the pids hierarchy when it is mounted.
    case cgroupV1(memory: String, pids: String?)
    /// No writable cgroup: each process has the ceiling as its address-space limit and a session has at most
    /// `SandboxConfiguration.fallbackProcesses` processes and threads; `reason` says why.
    case processLimits(reason: String)

    public var usesControlGroups: Bool {
        if case .processLimits = self { return false }
        return true
    }

    /// The isolation in force for this process; the first use detects it (and may move the process into a leaf
    /// group of its own cgroup v2 group, which a group with controllers enabled for children requires).
    public static var detected: MemoryIsolation { ControlGroups.detected }
}

/// Finds and prepares the cgroup hierarchy that sessions' groups are created in.
enum ControlGroups {
    static let prefix = "swift-assistants-"
    static let detected: MemoryIsolation = detect()

    private static func detect() -> MemoryIsolation {
        let memberships = ownGroups()
        let mounts = cgroupMounts()
        var reasons: [String] = []
        if let unified = mounts.first(where: { $0.type == "cgroup2" }), let path = memberships["0::"] {
            let base = unified.directory(for: path)
            switch prepareUnified(base) {
            case .success(let directory):
                removeStale(in: [directory])
                return .cgroupV2(directory: directory)
            case .failure(let reason):
                reasons.append("cgroup v2 at \(base): \(reason)")
            }
        }
        if let memoryMount = mounts.first(where: { $0.type == "cgroup" && $0.options.contains("memory") }),
            let path = memberships["memory"]
        {
            let memory = memoryMount.directory(for: path)
            if let failure = probe(memory, file: "memory.limit_in_bytes", value: "\(64 << 20)") {
                reasons.append("cgroup v1 memory at \(memory): \(failure)")
            } else {
                var pids: String?
                if let pidsMount = mounts.first(where: { $0.type == "cgroup" && $0.options.contains("pids") }),
                    let path = memberships["pids"]
                {
                    let directory = pidsMount.directory(for: path)
                    if probe(directory, file: "pids.max", value: "64") == nil { pids = directory }
                }
                removeStale(in: [memory] + (pids.map { [$0] } ?? []))
                return .cgroupV1(memory: memory, pids: pids)
            }
        }
        if reasons.isEmpty { reasons.append("no cgroup memory controller is mounted") }
        return .processLimits(reason: reasons.joined(separator: "; "))
    }

    /// Enables the memory (and pids) controllers for the children of `base`, first moving this process into a
    /// leaf group when `base` holds processes (cgroup v2 allows controllers for children only in groups without
    /// processes, the root excepted). Returns the directory sessions' groups go in.
    private static func prepareUnified(_ base: String) -> Result<String, Failure> {
        let controllers = (read(base + "/cgroup.controllers") ?? "").split(separator: " ").map(String.init)
        guard controllers.contains("memory") else {
            return .failure(Failure("the memory controller is not available (it may be bound to cgroup v1)"))
        }
        var enabled = write("+memory", to: base + "/cgroup.subtree_control")
        if enabled == EBUSY {
            let leaf = base + "/" + prefix + "server"
            if mkdir(leaf, 0o755) != 0 && errno != EEXIST { return .failure(Failure(errno: errno, "creating \(leaf)")) }
            let moved = write("\(getpid())", to: leaf + "/cgroup.procs")
            guard moved == 0 else { return .failure(Failure(errno: moved, "moving the server into \(leaf)")) }
            enabled = write("+memory", to: base + "/cgroup.subtree_control")
        }
        guard enabled == 0 else { return .failure(Failure(errno: enabled, "enabling the memory controller")) }
        if controllers.contains("pids") { _ = write("+pids", to: base + "/cgroup.subtree_control") }
        if let failure = probe(base, file: "memory.max", value: "\(64 << 20)") { return .failure(failure) }
        return .success(base)
    }

    /// Whether a child group of `directory` can be created and limited; nil if so.
    private static func probe(_ directory: String, file: String, value: String) -> Failure? {
        let child = directory + "/" + prefix + "probe-\(getpid())"
        guard mkdir(child, 0o755) == 0 || errno == EEXIST else { return Failure(errno: errno, "creating a group") }
        defer { rmdir(child) }
        let result = write(value, to: child + "/" + file)
        return result == 0 ? nil : Failure(errno: result, "writing \(file)")
    }

    /// Groups a previous server process left behind (it was killed before it could remove them).
    private static func removeStale(in directories: [String]) {
        for directory in directories {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names where name.hasPrefix(prefix) {
                let owner = name.dropFirst(prefix.count).split(separator: "-").first.flatMap { pid_t($0) }
                guard let owner, owner != getpid(), kill(owner, 0) != 0, errno == ESRCH else { continue }
                rmdir(directory + "/" + name)
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
        init(errno code: Int32, _ action: String) { description = "\(action): \(String(cString: strerror(code)))" }
    }

    // MARK: /proc

    /// "0::" → the cgroup v2 path; a v1 controller name → its path.
    static func ownGroups(_ text: String? = read("/proc/self/cgroup")) -> [String: String] {
        var groups: [String: String] = [:]
        for line in (text ?? "").split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[0] == "0" && fields[1].isEmpty {
                groups["0::"] = String(fields[2])
            } else {
                for controller in fields[1].split(separator: ",") { groups[String(controller)] = String(fields[2]) }
            }
        }
        return groups
    }

    struct Mount: Equatable {
        var root: String
        var point: String
        var type: String
        var options: [String]

        /// Where the group at `path` (as /proc/self/cgroup names it) is in this mount.
        func directory(for path: String) -> String {
            var relative = path
            if root != "/" {
                guard path == root || path.hasPrefix(root + "/") else { return point }
                relative = String(path.dropFirst(root.count))
            }
            let trimmed = relative.hasSuffix("/") ? String(relative.dropLast()) : relative
            return point + trimmed
        }
    }

    /// cgroup and cgroup2 mounts from /proc/self/mountinfo, whose root field matters in containers.
    static func cgroupMounts(_ text: String? = read("/proc/self/mountinfo")) -> [Mount] {
        (text ?? "").split(separator: "\n").compactMap { line in
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2 else { return nil }
            let left = halves[0].split(separator: " "), right = halves[1].split(separator: " ")
            guard left.count >= 5, right.count >= 3, right[0] == "cgroup" || right[0] == "cgroup2" else { return nil }
            return Mount(
                root: String(left[3]), point: String(left[4]), type: String(right[0]),
                options: right[2].split(separator: ",").map(String.init))
        }
    }

    // MARK: files

    static func read(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }

    /// Writes `text` in one write(2), as cgroup files require; 0 or the errno.
    @discardableResult
    static func write(_ text: String, to path: String) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        let written = writeAll(descriptor, bytes)
        return written == bytes.count ? 0 : (written < 0 ? errno : EIO)
    }
}

/// write(2), outside `ControlGroups` whose `write` would shadow it.
private func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Int {
    bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
}

/// The cgroup(s) of one session: created before it starts, its process moved in before it runs code (see
/// `SandboxLauncher`), removed with whatever still runs in it when it ends.
final class SessionGroup: Sendable {
    private static let counter = Mutex(0)

    /// Directories created, memory's first.
    let directories: [String]
    /// Files the session's first process writes its pid to.
    let processFiles: [String]
    private let events: String

    private init(directories: [String], events: String) {
        self.directories = directories
        processFiles = directories.map { $0 + "/cgroup.procs" }
        self.events = events
    }

    /// A new group with the session's limits; nil under `.processLimits`.
    static func create(
        _ isolation: MemoryIsolation, memoryBytes: Int, maxProcesses: Int
    ) throws(CodeInterpreterError) -> SessionGroup? {
        let name = ControlGroups.prefix + "\(getpid())-\(counter.withLock { $0 += 1; return $0 })"
        var settings: [(directory: String, file: String, value: String, required: Bool)] = []
        let group: SessionGroup
        switch isolation {
        case .processLimits:
            return nil
        case .cgroupV2(let base):
            let directory = base + "/" + name
            group = SessionGroup(directories: [directory], events: directory + "/memory.events")
            settings = [
                (directory, "memory.max", "\(memoryBytes)", true),
                (directory, "memory.swap.max", "0", false),
                // An out-of-memory kill takes the whole session, as it would a machine: nothing half-alive.
                (directory, "memory.oom.group", "1", false),
                (directory, "pids.max", "\(maxProcesses)", false),
            ]
        case .cgroupV1(let memoryBase, let pidsBase):
            let memory = memoryBase + "/" + name
            let pids = pidsBase.map { $0 + "/" + name }
            group = SessionGroup(
                directories: [memory] + (pids.map { [$0] } ?? []), events: memory + "/memory.oom_control")
            // memsw (memory and swap together) must not be set below the memory limit, so it comes second.
            settings = [
                (memory, "memory.limit_in_bytes", "\(memoryBytes)", true),
                (memory, "memory.memsw.limit_in_bytes", "\(memoryBytes)", false),
            ]
            if let pids { settings.append((pids, "pids.max", "\(maxProcesses)", true)) }
        }
        for directory in group.directories where mkdir(directory, 0o755) != 0 {
            let failure = ControlGroups.Failure(errno: errno, "creating \(directory)")
            group.removeDirectories()
            throw .sessionStartFailed("cannot create the session's control group: \(failure)")
        }
        for setting in settings {
            let path = setting.directory + "/" + setting.file
            guard setting.required || access(path, F_OK) == 0 else { continue }
            let result = ControlGroups.write(setting.value, to: path)
            if result != 0 {
                group.removeDirectories()
                let failure = ControlGroups.Failure(errno: result, "writing \(path)")
                throw .sessionStartFailed("cannot limit the session's control group: \(failure)")
            }
        }
        return group
    }

    /// How many of the group's processes the kernel has killed for want of memory.
    var outOfMemoryKills: Int {
        let text = ControlGroups.read(events) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("oom_kill ") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }

    /// Kills whatever still runs in the group and removes it. The kernel removes a group only once it is empty,
    /// and the processes of an ending PID namespace stay in it until the host's init has reaped them.
    func remove() async {
        for attempt in 0..<300 {  // about 20 s
            killMembers()
            removeDirectories()
            if directories.allSatisfy({ access($0, F_OK) != 0 }) { return }
            try? await Task.sleep(for: .milliseconds(attempt < 100 ? 10 : 100))
        }
    }

    private func killMembers() {
        if let first = directories.first, ControlGroups.write("1", to: first + "/cgroup.kill") == 0 { return }
        for file in processFiles {
            for pid in (ControlGroups.read(file) ?? "").split(separator: "\n").compactMap({ pid_t($0) }) {
                kill(pid, SIGKILL)
            }
        }
    }

    private func removeDirectories() {
        for directory in directories { rmdir(directory) }
    }
}

import Foundation
import Subprocess
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a session's process needs: its command line, its cgroup and, without a sandbox, the directory to remove
/// afterwards.
struct LaunchPlan: Sendable {
    var configuration: Subprocess.Configuration
    var privateDirectory: String?
    var group: SessionGroup?
    /// The session's memory ceiling, for messages.
    var memoryBytes: Int
}

/// Turns the configuration into session command lines. Tools are looked up once, when the service starts.
///
/// Sandboxed, a session is `sh -c <enter the session's cgroup, open the seccomp filter> -- bwrap <namespaces and
/// mounts> --seccomp 3 -- prlimit <limits> -- python3 -I -u -X utf8 -c <runner> /mnt/data <limits>`.
/// The shell moves itself into the session's cgroup before anything else runs, so every process of the session
/// is born inside it; it also raises its OOM score to the maximum, so that should memory run out outside the
/// session's own group (the host's, or the server's group), the kernel kills code before the server.
/// prlimit runs inside the sandbox so that RLIMIT_NPROC counts the processes of the session's own user
/// namespace, whoever the server runs as. As root, `setpriv` first switches to the session's own uid, because
/// the kernel does not apply RLIMIT_NPROC to root. (Not Subprocess's `userID`: in 1.0.2 its child calls glibc's
/// setgroups after a raw clone3, which can deadlock on the parent's stale thread list.)
struct SandboxLauncher: Sendable {
    enum Isolation: Sendable {
        case bubblewrap(String)
        /// Explicitly allowed: the runner runs directly, with the limits and a private working directory only.
        case none
    }

    let configuration: SandboxConfiguration
    let isolation: Isolation
    let memory: MemoryIsolation
    /// The seccomp filter; nil on an architecture without a system call table (the startup log says so).
    let seccomp: SeccompProgramFile?
    private let shellPath: String
    private let prlimitPath: String
    /// Present when the server runs as root and sessions get uids of their own.
    private let setprivPath: String?
    private let mounts: [String]

    /// Sizes of the sandbox's /tmp and /dev/shm, which are memory too: room for caches and semaphores, not data.
    private var temporaryBytes: Int { min(64 << 20, configuration.dataSize) }
    private var sharedMemoryBytes: Int { min(16 << 20, configuration.dataSize) }

    init(
        configuration: SandboxConfiguration, switchesUser: Bool, memory: MemoryIsolation = .detected
    ) throws(CodeInterpreterError) {
        self.configuration = configuration
        self.memory = memory
        let bubblewrap = configuration.bubblewrapPath.map { Self.isExecutable($0) ? $0 : nil } ?? Self.lookUp("bwrap")
        if let bubblewrap {
            isolation = .bubblewrap(bubblewrap)
        } else if configuration.allowUnsandboxed {
            isolation = .none
        } else {
            let location = configuration.bubblewrapPath.map { " at \($0)" } ?? " in PATH"
            throw .sandboxUnavailable(
                "bubblewrap (bwrap) was not found\(location). Install it with `apt-get install bubblewrap` "
                    + "(Debian, Ubuntu) or `dnf install bubblewrap` (Fedora), or set allowUnsandboxed to run code "
                    + "without a sandbox (unsafe).")
        }
        guard let prlimit = Self.lookUp("prlimit") else {
            throw .sandboxUnavailable(
                "prlimit was not found in PATH. Install util-linux (`apt-get install util-linux`).")
        }
        prlimitPath = prlimit
        guard let shell = Self.isExecutable("/bin/sh") ? "/bin/sh" : Self.lookUp("sh") else {
            throw .sandboxUnavailable("sh was not found in PATH.")
        }
        shellPath = shell
        if switchesUser {
            guard let setpriv = Self.lookUp("setpriv") else {
                throw .sandboxUnavailable(
                    "setpriv was not found in PATH. Install util-linux (`apt-get install util-linux`).")
            }
            setprivPath = setpriv
        } else {
            setprivPath = nil
        }
        guard Self.isExecutable(configuration.pythonPath) else {
            throw .sandboxUnavailable(
                "Python was not found at \(configuration.pythonPath). Install it with `apt-get install python3`.")
        }
        if case .bubblewrap = isolation {
            for path in [prlimit, configuration.pythonPath] where !Self.visibleInSandbox(path) {
                throw .sandboxUnavailable(
                    "\(path) is outside /usr, the only system tree mounted in the sandbox; use the system's copy.")
            }
        }
        mounts = Self.systemMounts()
        if case .bubblewrap = isolation, let architecture = SeccompFilter.Architecture.current {
            seccomp = try SeccompProgramFile(program: SeccompFilter.program(for: architecture))
        } else {
            seccomp = nil
        }
    }

    /// The command line of one session; `userID` is its uid when the server runs as root.
    func plan(userID: UInt32?) async throws(CodeInterpreterError) -> LaunchPlan {
        var options = PlatformOptions()
        options.createSession = true  // keep terminal signals aimed at the server away from sessions
        let group = try SessionGroup.create(
            memory, memoryBytes: configuration.memoryBytes, maxProcesses: configuration.maxProcesses)
        let filter: String? = if case .bubblewrap = isolation { seccomp?.path } else { nil }
        var command = entry(group: group, filter: filter)
        if let setprivPath, let userID {
            command += [setprivPath, "--reuid=\(userID)", "--regid=\(userID)", "--clear-groups", "--"]
        }
        switch isolation {
        case .bubblewrap(let bubblewrap):
            command += [bubblewrap] + sandboxArguments()
            return LaunchPlan(
                configuration: Self.configuration(command, ["PATH": "/usr/bin:/bin"], options: options), group: group,
                memoryBytes: configuration.memoryBytes)
        case .none:
            let directory: String
            do {
                directory = try makePrivateDirectory(owner: userID)
            } catch {
                await group?.remove()
                throw error
            }
            let data = directory + "/data"
            var environment: [Environment.Key: String] = [:]
            for (name, value) in Self.environment(scratch: directory + "/tmp") {
                if let key = Environment.Key(rawValue: name) { environment[key] = value }
            }
            var limits = limitArguments()
            if userID == nil { limits.removeAll { $0.hasPrefix("--nproc=") } }  // would count the server's own
            command += [prlimitPath] + limits + runnerArguments(dataDirectory: data)
            var configuration = Self.configuration(command, environment, options: options)
            configuration.workingDirectory = FilePath(data)
            return LaunchPlan(
                configuration: configuration, privateDirectory: directory, group: group,
                memoryBytes: self.configuration.memoryBytes)
        }
    }

    /// The shell that starts a session: it enters the session's cgroup(s), makes itself the OOM killer's first
    /// choice, opens the seccomp filter as descriptor 3 and runs the rest of the command line in its place.
    private func entry(group: SessionGroup?, filter: String?) -> [String] {
        let script = """
            echo 1000 > /proc/self/oom_score_adj || exit 125
            filter=$1 count=$2
            shift 2
            while [ "$count" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; count=$((count - 1)); done
            if [ "$filter" != - ]; then exec 3< "$filter" || exit 125; fi
            exec "$@"
            """
        let files = group?.processFiles ?? []
        return [shellPath, "-c", script, "sh", filter ?? "-", "\(files.count)"] + files
    }

    private static func configuration(
        _ command: [String], _ environment: [Environment.Key: String], options: PlatformOptions
    ) -> Subprocess.Configuration {
        Subprocess.Configuration(
            executable: .path(FilePath(command[0])), arguments: Arguments(Array(command.dropFirst())),
            environment: .custom(environment), platformOptions: options)
    }

    private func sandboxArguments() -> [String] {
        var arguments = [
            "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--clearenv", "--hostname", "sandbox",
        ]
        arguments += mounts
        arguments += [
            "--proc", "/proc", "--dev", "/dev",
            "--size", "\(configuration.dataSize)", "--tmpfs", "/mnt/data",
            "--size", "\(temporaryBytes)", "--tmpfs", "/tmp",
            "--size", "\(sharedMemoryBytes)", "--tmpfs", "/dev/shm",
            // bwrap's root and /dev are unbounded tmpfs: without these the code could fill the host's memory.
            "--remount-ro", "/dev", "--remount-ro", "/",
            "--chdir", "/mnt/data",
        ]
        for (name, value) in Self.environment(scratch: "/tmp") { arguments += ["--setenv", name, value] }
        if seccomp != nil { arguments += ["--seccomp", "3"] }
        return arguments + ["--", prlimitPath] + limitArguments() + runnerArguments(dataDirectory: "/mnt/data")
    }

    /// Without a cgroup, the address-space limit times the process limit is what bounds a session's memory.
    private var processLimit: Int {
        memory.usesControlGroups
            ? configuration.maxProcesses : min(configuration.maxProcesses, SandboxConfiguration.fallbackProcesses)
    }

    func limitArguments() -> [String] {
        [
            "--cpu=\(configuration.cpuSeconds)", "--as=\(configuration.memoryBytes)",
            "--fsize=\(configuration.maxFileBytes)", "--nproc=\(processLimit)",
            "--nofile=\(configuration.maxOpenFiles)", "--core=0", "--",
        ]
    }

    private func runnerArguments(dataDirectory: String) -> [String] {
        [
            configuration.pythonPath, "-I", "-u", "-X", "utf8", "-c", runnerScript,
            dataDirectory, "\(configuration.outputLimit)", "\(configuration.maxFileBytes)",
        ]
    }

    private static func environment(scratch: String) -> KeyValuePairs<String, String> {
        [
            "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": scratch, "TMPDIR": scratch,
            "MPLCONFIGDIR": scratch, "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        ]
    }

    /// /usr read-only, the top-level links into it, and the few files of /etc that Python's libraries read.
    private static func systemMounts() -> [String] {
        var arguments = ["--ro-bind", "/usr", "/usr"]
        for path in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                arguments += ["--symlink", target, path]
            } else {
                arguments += ["--ro-bind-try", path, path]
            }
        }
        // BLAS is reached through /etc/alternatives; matplotlib reads its rc file and fontconfig's config.
        for path in ["/etc/alternatives", "/etc/ld.so.cache", "/etc/matplotlibrc", "/etc/fonts"] {
            arguments += ["--ro-bind-try", path, path]
        }
        return arguments
    }

    private func makePrivateDirectory(owner: UInt32?) throws(CodeInterpreterError) -> String {
        var template = Array((NSTemporaryDirectory() + "/code-interpreter-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw .sessionStartFailed("cannot create a private directory: \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: created)
        for path in [directory, directory + "/data", directory + "/tmp"] {
            if path != directory { mkdir(path, 0o700) }
            if let owner { chown(path, owner, owner) }
        }
        return directory
    }

    private static func visibleInSandbox(_ path: String) -> Bool {
        ["/usr/", "/bin/", "/sbin/"].contains { path.hasPrefix($0) }
    }

    private static func isExecutable(_ path: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: path)
    }

    private static func lookUp(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first(where: isExecutable)
    }
}

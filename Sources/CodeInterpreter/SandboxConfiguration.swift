/// How code-interpreter sessions are sandboxed and limited.
public struct SandboxConfiguration: Sendable {
    /// The Python interpreter; in the sandbox it must live under /usr, the only system tree mounted.
    public var pythonPath: String
    /// bubblewrap; nil looks up `bwrap` in PATH.
    public var bubblewrapPath: String?
    /// Wall-clock limit of one execution; on expiry the session is killed and the next execution starts a fresh one.
    public var executionTimeout: Duration
    /// Sessions unused for this long are reclaimed by `run()`.
    public var idleTimeout: Duration
    /// Memory ceiling of one session: its processes and the files in its /mnt/data, /tmp and /dev/shm together,
    /// enforced by a cgroup of its own (see `MemoryIsolation`); also each process's address space (RLIMIT_AS),
    /// which is all that bounds it where no cgroup is writable.
    public var memoryBytes: Int
    /// CPU seconds of each sandboxed process over the session's life (RLIMIT_CPU).
    public var cpuSeconds: Int
    /// Processes and threads of one session: its cgroup's pids.max where there is one, and RLIMIT_NPROC
    /// (counted in the session's own user namespace; at most `fallbackProcesses` without a cgroup).
    /// Unsandboxed RLIMIT_NPROC would count all processes of the session's user, so it applies there only
    /// when the server runs as root and each session has a uid of its own.
    public var maxProcesses: Int
    /// Open files of each sandboxed process (RLIMIT_NOFILE).
    public var maxOpenFiles: Int
    /// Largest file the code may write (RLIMIT_FSIZE); also bounds each returned file and the images of one execution.
    public var maxFileBytes: Int
    /// Bytes of files and images one session may hand out over its life, resets included; a file over what is
    /// left is not copied out of the sandbox, and the output says so instead.
    public var diskQuotaBytes: Int
    /// Size of the session's /mnt/data, a tmpfs (so memory, counted in `memoryBytes`); nil: `diskQuotaBytes`.
    /// /tmp gets up to 64 MiB more and /dev/shm up to 16 MiB.
    public var dataBytes: Int?
    /// Characters of output kept per execution: the head and the tail, with a note of what was cut.
    public var outputLimit: Int
    /// Without bubblewrap, run code anyway with only resource limits and a private working directory. Unsafe.
    public var allowUnsandboxed: Bool

    public init(
        pythonPath: String = "/usr/bin/python3",
        bubblewrapPath: String? = nil,
        executionTimeout: Duration = .seconds(60),
        idleTimeout: Duration = .seconds(3600),
        memoryBytes: Int = 1 << 30,
        cpuSeconds: Int = 600,
        maxProcesses: Int = 64,
        maxOpenFiles: Int = 256,
        maxFileBytes: Int = 256 << 20,
        diskQuotaBytes: Int = 256 << 20,
        dataBytes: Int? = nil,
        outputLimit: Int = 20_000,
        allowUnsandboxed: Bool = false
    ) {
        self.pythonPath = pythonPath
        self.bubblewrapPath = bubblewrapPath
        self.executionTimeout = executionTimeout
        self.idleTimeout = idleTimeout
        self.memoryBytes = memoryBytes
        self.cpuSeconds = cpuSeconds
        self.maxProcesses = maxProcesses
        self.maxOpenFiles = maxOpenFiles
        self.maxFileBytes = maxFileBytes
        self.diskQuotaBytes = diskQuotaBytes
        self.dataBytes = dataBytes
        self.outputLimit = outputLimit
        self.allowUnsandboxed = allowUnsandboxed
    }

    /// Processes and threads of one session where no cgroup is writable (`MemoryIsolation.processLimits`): each
    /// may use `memoryBytes` of address space, so a session holds at most this many times that.
    public static let fallbackProcesses = 8

    /// Size of /mnt/data; never 0, which would make the tmpfs unbounded.
    var dataSize: Int { max(dataBytes ?? diskQuotaBytes, 1 << 20) }
}

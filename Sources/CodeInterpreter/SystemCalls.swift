/// The system calls the seccomp filter refuses, with their numbers on each architecture it supports.
///
/// Numbers come from the kernel's headers: x86_64 from `asm/unistd_64.h`, aarch64 from the generic table in
/// `asm-generic/unistd.h`. nil: the call does not exist there.
struct SystemCall: Sendable {
    let name: String
    let x86_64: UInt32?
    let aarch64: UInt32?

    init(_ name: String, x86_64: UInt32?, aarch64: UInt32?) {
        self.name = name
        self.x86_64 = x86_64
        self.aarch64 = aarch64
    }

    /// Nothing a data-analysis session does needs these: debugging and reading other processes, mounts and
    /// namespaces, kernel keyrings, eBPF and perf, kernel modules, kexec, swap, quotas, the clock, io_uring
    /// (a second syscall path seccomp cannot see into) and file handles (which can open files outside a mount).
    /// They fail with EPERM, so code that probes for them gets an ordinary OSError.
    static let refused: [SystemCall] = [
        .init("ptrace", x86_64: 101, aarch64: 117),
        .init("process_vm_readv", x86_64: 310, aarch64: 270),
        .init("process_vm_writev", x86_64: 311, aarch64: 271),
        .init("mount", x86_64: 165, aarch64: 40),
        .init("umount2", x86_64: 166, aarch64: 39),
        .init("pivot_root", x86_64: 155, aarch64: 41),
        .init("chroot", x86_64: 161, aarch64: 51),
        .init("open_tree", x86_64: 428, aarch64: 428),
        .init("move_mount", x86_64: 429, aarch64: 429),
        .init("fsopen", x86_64: 430, aarch64: 430),
        .init("fsconfig", x86_64: 431, aarch64: 431),
        .init("fsmount", x86_64: 432, aarch64: 432),
        .init("fspick", x86_64: 433, aarch64: 433),
        .init("mount_setattr", x86_64: 442, aarch64: 442),
        .init("unshare", x86_64: 272, aarch64: 97),
        .init("setns", x86_64: 308, aarch64: 268),
        .init("bpf", x86_64: 321, aarch64: 280),
        .init("perf_event_open", x86_64: 298, aarch64: 241),
        .init("userfaultfd", x86_64: 323, aarch64: 282),
        .init("keyctl", x86_64: 250, aarch64: 219),
        .init("add_key", x86_64: 248, aarch64: 217),
        .init("request_key", x86_64: 249, aarch64: 218),
        .init("kexec_load", x86_64: 246, aarch64: 104),
        .init("kexec_file_load", x86_64: 320, aarch64: 294),
        .init("init_module", x86_64: 175, aarch64: 105),
        .init("finit_module", x86_64: 313, aarch64: 273),
        .init("delete_module", x86_64: 176, aarch64: 106),
        .init("open_by_handle_at", x86_64: 304, aarch64: 265),
        .init("name_to_handle_at", x86_64: 303, aarch64: 264),
        .init("swapon", x86_64: 167, aarch64: 224),
        .init("swapoff", x86_64: 168, aarch64: 225),
        .init("reboot", x86_64: 169, aarch64: 142),
        .init("acct", x86_64: 163, aarch64: 89),
        .init("quotactl", x86_64: 179, aarch64: 60),
        .init("quotactl_fd", x86_64: 443, aarch64: 443),
        .init("lookup_dcookie", x86_64: 212, aarch64: 18),
        .init("syslog", x86_64: 103, aarch64: 116),
        .init("vhangup", x86_64: 153, aarch64: 58),
        .init("settimeofday", x86_64: 164, aarch64: 170),
        .init("clock_settime", x86_64: 227, aarch64: 112),
        .init("fanotify_init", x86_64: 300, aarch64: 262),
        .init("io_uring_setup", x86_64: 425, aarch64: 425),
        .init("io_uring_enter", x86_64: 426, aarch64: 426),
        .init("io_uring_register", x86_64: 427, aarch64: 427),
        .init("iopl", x86_64: 172, aarch64: nil),
        .init("ioperm", x86_64: 173, aarch64: nil),
    ]

    /// Allowed unless its flags ask for a new user namespace.
    static let clone = SystemCall("clone", x86_64: 56, aarch64: 220)
    /// Refused with ENOSYS: its flags live in memory the filter cannot read, and glibc falls back to clone.
    static let clone3 = SystemCall("clone3", x86_64: 435, aarch64: 435)
}

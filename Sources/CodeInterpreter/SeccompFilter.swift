import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The seccomp filter of a session, as the classic BPF program bubblewrap's `--seccomp FD` loads: an array of
/// `struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }` in native byte order.
///
/// It kills the process on a foreign architecture (and on x86_64 for x32 calls, whose numbers would slip past
/// the table), refuses `SystemCall.refused` with EPERM and `clone3` with ENOSYS, refuses `clone` only when its
/// flags ask for a new user namespace, and allows everything else.
enum SeccompFilter {
    enum Architecture: Sendable, CaseIterable {
        case x86_64, aarch64

        /// The architecture the server runs on; nil where no table exists (no filter is applied there).
        static var current: Architecture? {
            #if arch(x86_64)
            .x86_64
            #elseif arch(arm64)
            .aarch64
            #else
            nil
            #endif
        }

        /// `seccomp_data.arch` for native calls: AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64.
        var auditArch: UInt32 {
            switch self {
            case .x86_64: 0xC000_003E
            case .aarch64: 0xC000_00B7
            }
        }

        func number(of call: SystemCall) -> UInt32? {
            switch self {
            case .x86_64: call.x86_64
            case .aarch64: call.aarch64
            }
        }
    }

    /// The program for `architecture`, ready to be written to the descriptor bubblewrap reads.
    static func program(for architecture: Architecture) -> [UInt8] {
        var bytes: [UInt8] = []
        for instruction in instructions(for: architecture) {
            withUnsafeBytes(of: instruction.code) { bytes += $0 }
            bytes += [instruction.jt, instruction.jf]
            withUnsafeBytes(of: instruction.k) { bytes += $0 }
        }
        return bytes
    }

    struct Instruction: Equatable {
        var code: UInt16
        var jt: UInt8 = 0
        var jf: UInt8 = 0
        var k: UInt32
    }

    // Offsets into `struct seccomp_data { int nr; u32 arch; u64 instruction_pointer; u64 args[6]; }`. Both
    // supported architectures are little-endian, so the low half of args[0] comes first.
    private static let numberOffset: UInt32 = 0
    private static let archOffset: UInt32 = 4
    private static let firstArgumentOffset: UInt32 = 16

    private static let loadWord: UInt16 = 0x20  // BPF_LD | BPF_W | BPF_ABS
    private static let jumpEqual: UInt16 = 0x15  // BPF_JMP | BPF_JEQ | BPF_K
    private static let jumpGreaterOrEqual: UInt16 = 0x35  // BPF_JMP | BPF_JGE | BPF_K
    private static let jumpAnyBits: UInt16 = 0x45  // BPF_JMP | BPF_JSET | BPF_K
    private static let returnConstant: UInt16 = 0x06  // BPF_RET | BPF_K

    private static let allow: UInt32 = 0x7FFF_0000  // SECCOMP_RET_ALLOW
    private static let killProcess: UInt32 = 0x8000_0000  // SECCOMP_RET_KILL_PROCESS
    private static let errno: UInt32 = 0x0005_0000  // SECCOMP_RET_ERRNO | errno
    private static let x32Bit: UInt32 = 0x4000_0000  // __X32_SYSCALL_BIT
    private static let newUserNamespace: UInt32 = 0x1000_0000  // CLONE_NEWUSER

    private enum Target: Hashable {
        case next, allow, refuse, unimplemented, kill, checkCloneFlags
    }

    private struct Step {
        var code: UInt16
        var k: UInt32
        var onTrue: Target = .next
        var onFalse: Target = .next
    }

    static func instructions(for architecture: Architecture) -> [Instruction] {
        var steps: [Step] = [
            Step(code: loadWord, k: archOffset),
            Step(code: jumpEqual, k: architecture.auditArch, onFalse: .kill),
            Step(code: loadWord, k: numberOffset),
        ]
        if architecture == .x86_64 {
            steps.append(Step(code: jumpGreaterOrEqual, k: x32Bit, onTrue: .kill))
        }
        for call in SystemCall.refused {
            guard let number = architecture.number(of: call) else { continue }
            steps.append(Step(code: jumpEqual, k: number, onTrue: .refuse))
        }
        steps.append(Step(code: jumpEqual, k: architecture.number(of: .clone3)!, onTrue: .unimplemented))
        steps.append(
            Step(code: jumpEqual, k: architecture.number(of: .clone)!, onTrue: .checkCloneFlags, onFalse: .allow))
        var labels: [Target: Int] = [:]
        labels[.checkCloneFlags] = steps.count
        steps.append(Step(code: loadWord, k: firstArgumentOffset))
        steps.append(Step(code: jumpAnyBits, k: newUserNamespace, onTrue: .refuse, onFalse: .allow))
        let returns: [(Target, UInt32)] = [
            (.allow, allow), (.refuse, errno | operationNotPermitted), (.unimplemented, errno | notImplemented),
            (.kill, killProcess),
        ]
        for (target, value) in returns {
            labels[target] = steps.count
            steps.append(Step(code: returnConstant, k: value))
        }
        return steps.enumerated().map { index, step in
            func offset(_ target: Target) -> UInt8 {
                guard target != .next else { return 0 }
                let distance = labels[target]! - index - 1
                precondition((0...255).contains(distance), "seccomp jump out of range")
                return UInt8(distance)
            }
            let isJump = step.code & 0x07 == 0x05
            return Instruction(
                code: step.code, jt: isJump ? offset(step.onTrue) : 0, jf: isJump ? offset(step.onFalse) : 0, k: step.k)
        }
    }

    // The same on both architectures (the generic errno table).
    private static let operationNotPermitted: UInt32 = 1  // EPERM
    private static let notImplemented: UInt32 = 38  // ENOSYS
}

/// The filter program in an unlinked temporary file that lives as long as this object. A session's launcher
/// shell opens it again through /proc (a fresh read position each time) as the descriptor bubblewrap reads:
/// Subprocess closes every inherited descriptor above stderr, so the program cannot be handed down directly.
final class SeccompProgramFile: Sendable {
    private let descriptor: Int32
    /// Opening this path reads the program from its start.
    let path: String

    init(program: [UInt8]) throws(CodeInterpreterError) {
        var template = Array((NSTemporaryDirectory() + "/swift-assistants-seccomp-XXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else {
            throw .sandboxUnavailable("cannot create the seccomp filter's file: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        let written = program.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == program.count else {
            close(descriptor)
            throw .sandboxUnavailable("cannot write the seccomp filter's file: \(String(cString: strerror(errno)))")
        }
        fchmod(descriptor, 0o400)
        self.descriptor = descriptor
        path = "/proc/\(getpid())/fd/\(descriptor)"
    }

    deinit {
        close(descriptor)
    }
}

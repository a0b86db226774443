@testable import CodeInterpreter
import Foundation
import Testing

@Suite("The seccomp filter")
struct SeccompTests {
    /// The system call numbers of the architecture the tests run on, as Python literals.
    static var numbers: String {
        guard let architecture = SeccompFilter.Architecture.current else { return "{}" }
        let entries = (SystemCall.refused + [.clone, .clone3]).compactMap { call in
            architecture.number(of: call).map { "'\(call.name)': \($0)" }
        }
        return "{" + entries.joined(separator: ", ") + "}"
    }

    @Test(.enabled(if: SeccompFilter.Architecture.current != nil, "no system call table for this architecture"))
    func refusedSystemCallsFailWithEPERMInsideTheSandbox() async throws {
        try await withService(hostileConfiguration) { service in
            // Each call is made with arguments under which it would succeed or fail otherwise than EPERM
            // without the filter (ptrace(TRACEME), unshare(0), process_vm_readv of nothing, ...).
            let result = try await service.run(
                """
                import ctypes, errno, os
                libc = ctypes.CDLL(None, use_errno=True)
                numbers = \(Self.numbers)
                def call(name, *arguments):
                    ctypes.set_errno(0)
                    result = libc.syscall(ctypes.c_long(numbers[name]), *[ctypes.c_long(a) for a in arguments])
                    if result == 0 and name == 'clone':
                        os._exit(0)  # a child: without the filter the call forks
                    return 'allowed' if result >= 0 else errno.errorcode[ctypes.get_errno()]
                cases = [('ptrace', 0, 0, 0, 0), ('unshare', 0), ('setns', -1, 0), ('mount', 0, 0, 0, 0, 0),
                         ('umount2', 0, 0), ('bpf', 0, 0, 0), ('perf_event_open', 0, 0, -1, -1, 0),
                         ('keyctl', 0, -3, 0), ('add_key', 0, 0, 0, 0, 0), ('userfaultfd', 1),
                         ('process_vm_readv', os.getpid(), 0, 0, 0, 0, 0), ('io_uring_setup', 1, 0),
                         ('open_by_handle_at', -1, 0, 0), ('kexec_load', 0, 0, 0, 0), ('init_module', 0, 0, 0),
                         ('chroot', 0), ('pivot_root', 0, 0), ('fsopen', 0, 0), ('syslog', 3, 0, 0),
                         ('clone', 0x10000000 | 17, 0, 0, 0, 0)]
                print({case[0]: call(*case) for case in cases})
                print('clone3', call('clone3', 0, 0))
                if hasattr(os, 'unshare'):  # Python 3.12+
                    try:
                        os.unshare(0)
                        print('os.unshare allowed')
                    except OSError as error:
                        print('os.unshare', errno.errorcode[error.errno])
                else:
                    print('os.unshare', call('unshare', 0))
                """, in: "a")
            let names = [
                "ptrace", "unshare", "setns", "mount", "umount2", "bpf", "perf_event_open", "keyctl", "add_key",
                "userfaultfd", "process_vm_readv", "io_uring_setup", "open_by_handle_at", "kexec_load", "init_module",
                "chroot", "pivot_root", "fsopen", "syslog", "clone",
            ]
            let expected = "{" + names.map { "'\($0)': 'EPERM'" }.joined(separator: ", ") + "}\nclone3 ENOSYS\nos.unshare EPERM\n"
            #expect(result.output == expected)
            try await service.expectHealthy()
        }
    }

    @Test func processesThreadsAndSubprocessesStillWork() async throws {
        try await withService(hostileConfiguration) { service in
            let result = try await service.run(
                """
                import os, subprocess, threading
                from multiprocessing import Pool
                pid = os.fork()
                if pid == 0:
                    os._exit(7)
                print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
                print(subprocess.run(['/usr/bin/python3', '-c', 'print(6 * 7)'], capture_output=True, text=True).stdout.strip())
                box = []
                thread = threading.Thread(target=lambda: box.append(1))
                thread.start()
                thread.join()
                print(box)
                with Pool(2) as pool:
                    print(pool.map(abs, [-1, -2]))
                """, in: "a")
            #expect(result.output == "7\n42\n[1]\n[1, 2]\n", "\(result.output)")
            #expect(!result.failed)
        }
    }

    // MARK: the program itself, run by a small BPF interpreter

    /// What the filter answers for a call: the SECCOMP_RET_* value.
    static func verdict(
        _ architecture: SeccompFilter.Architecture, number: UInt32, arch: UInt32? = nil, firstArgument: UInt64 = 0
    ) -> UInt32? {
        let program = SeccompFilter.instructions(for: architecture)
        var accumulator: UInt32 = 0
        var counter = 0
        for _ in 0..<program.count + 1 {
            guard counter < program.count else { return nil }
            let instruction = program[counter]
            counter += 1
            switch instruction.code {
            case 0x20:
                switch instruction.k {
                case 0: accumulator = number
                case 4: accumulator = arch ?? architecture.auditArch
                case 16: accumulator = UInt32(truncatingIfNeeded: firstArgument)
                case 20: accumulator = UInt32(truncatingIfNeeded: firstArgument >> 32)
                default: return nil
                }
            case 0x15: counter += Int(accumulator == instruction.k ? instruction.jt : instruction.jf)
            case 0x35: counter += Int(accumulator >= instruction.k ? instruction.jt : instruction.jf)
            case 0x45: counter += Int(accumulator & instruction.k != 0 ? instruction.jt : instruction.jf)
            case 0x06: return instruction.k
            default: return nil
            }
        }
        return nil
    }

    static let allow: UInt32 = 0x7FFF_0000, eperm: UInt32 = 0x0005_0001, enosys: UInt32 = 0x0005_0026
    static let kill: UInt32 = 0x8000_0000

    @Test(arguments: SeccompFilter.Architecture.allCases)
    func programDecidesAsIntended(_ architecture: SeccompFilter.Architecture) {
        for call in SystemCall.refused {
            guard let number = architecture.number(of: call) else { continue }
            #expect(Self.verdict(architecture, number: number) == Self.eperm, "\(call.name)")
        }
        let clone = architecture.number(of: .clone)!
        #expect(Self.verdict(architecture, number: clone, firstArgument: 0x0120_0011) == Self.allow)  // fork's flags
        #expect(Self.verdict(architecture, number: clone, firstArgument: 0x1000_0011) == Self.eperm)  // CLONE_NEWUSER
        #expect(Self.verdict(architecture, number: architecture.number(of: .clone3)!) == Self.enosys)
        for allowed: UInt32 in [0, 1, 2, 3, 9, 57, 59, 61, 231, 435 - 1] where !Self.refusedNumbers(architecture).contains(allowed) && allowed != clone {
            #expect(Self.verdict(architecture, number: allowed) == Self.allow, "\(allowed)")
        }
        #expect(Self.verdict(architecture, number: 0, arch: 0x4000_0003) == Self.kill)  // i386
        let x32 = Self.verdict(architecture, number: 0x4000_0000 | 1)
        #expect(x32 == (architecture == .x86_64 ? Self.kill : Self.allow))
        #expect(SeccompFilter.program(for: architecture).count == SeccompFilter.instructions(for: architecture).count * 8)
    }

    static func refusedNumbers(_ architecture: SeccompFilter.Architecture) -> Set<UInt32> {
        Set(SystemCall.refused.compactMap { architecture.number(of: $0) })
    }

    /// The table against the kernel headers of this machine, where they are installed (linux-libc-dev).
    @Test(arguments: [
        (SeccompFilter.Architecture.x86_64, "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"),
        (.aarch64, "/usr/include/asm-generic/unistd.h"),
    ])
    func numbersMatchTheKernelHeaders(_ architecture: SeccompFilter.Architecture, _ header: String) throws {
        guard let text = try? String(contentsOfFile: header, encoding: .utf8) else {
            withKnownIssue("\(header) is not installed (apt-get install linux-libc-dev)") { throw CancellationError() }
            return
        }
        var defined: [String: UInt32] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("#define __NR_") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count >= 3, let number = UInt32(fields[2]) { defined[String(fields[1].dropFirst(5))] = number }
        }
        for call in SystemCall.refused + [.clone, .clone3] {
            #expect(architecture.number(of: call) == defined[call.name], "\(call.name)")
        }
    }
}

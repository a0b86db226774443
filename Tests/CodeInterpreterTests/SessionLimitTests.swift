@testable import CodeInterpreter
import Foundation
import Testing

/// One memory ceiling per session (a cgroup), tmpfs counted in it, a quota on what leaves the sandbox.
@Suite("Session-wide limits")
struct SessionLimitTests {
    static let cgroupReason: Comment = "no writable cgroup here: \(MemoryIsolation.detected)"

    @Test(.enabled(if: MemoryIsolation.detected.usesControlGroups, cgroupReason))
    func allocationBombAcrossProcessesIsStoppedAtTheSessionCeiling() async throws {
        // Three processes of 150 MiB each stay under a per-process limit of 256 MiB, but not under one of the
        // session's. (Small, so that the test is quick; the mechanism does not depend on the sizes.)
        let configuration = SandboxConfiguration(executionTimeout: .seconds(30), memoryBytes: 256 << 20)
        try await withService(configuration) { service in
            _ = try await service.run("kept = 1", in: "a")
            let result = try await service.run(
                """
                import os, time
                pids = []
                for _ in range(3):
                    pid = os.fork()
                    if pid == 0:
                        block = b'\\x01' * (150 << 20)
                        time.sleep(1)
                        os._exit(0)
                    pids.append(pid)
                print('statuses', [os.waitpid(pid, 0)[1] for pid in pids])
                """, in: "a")
            #expect(result.failed)
            #expect(result.output.contains("reached the session's memory limit of 256 MiB"), "\(result.output)")
            #expect(result.output.contains("session was reset"), "\(result.output)")
            let next = try await service.run("'kept' in globals()", in: "a")
            #expect(next.output == "False\n" && !next.failed, "\(next.output)")
            try await service.expectHealthy()
        }
    }

    @Test(.enabled(if: MemoryIsolation.detected.usesControlGroups, cgroupReason))
    func filesInTheSessionsTmpfsCountAgainstItsCeiling() async throws {
        // /mnt/data may hold 256 MiB, but the session as a whole only 128 MiB.
        let configuration = SandboxConfiguration(
            executionTimeout: .seconds(30), memoryBytes: 128 << 20, diskQuotaBytes: 256 << 20)
        try await withService(configuration) { service in
            let result = try await service.run(
                """
                written = 0
                with open('big', 'wb') as f:
                    for _ in range(200):
                        f.write(b'x' * (1 << 20))
                        f.flush()
                        written += 1
                print('WROTE', written)
                """, in: "a")
            #expect(result.failed)
            #expect(!result.output.contains("WROTE 200"))
            #expect(result.output.contains("memory limit of 128 MiB"), "\(result.output)")
            #expect(result.files.isEmpty)
            try await service.expectHealthy()
        }
    }

    @Test(.enabled(if: MemoryIsolation.detected.usesControlGroups, cgroupReason))
    func eachSessionHasAGroupOfItsOwnThatGoesWithIt() async throws {
        let isolation = MemoryIsolation.detected
        let parent: String
        let limitFile: String
        switch isolation {
        case .cgroupV2(let directory): (parent, limitFile) = (directory, "memory.max")
        case .cgroupV1(let memory, _): (parent, limitFile) = (memory, "memory.limit_in_bytes")
        case .processLimits: return
        }
        // Other tests run sessions at the same time; this one's is the group with its unusual limit.
        let limit = 300 << 20 + 4096
        func groups() -> [String] {
            let prefix = "swift-assistants-\(getpid())-"
            return ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { name in
                name.hasPrefix(prefix)
                    && (try? String(contentsOfFile: "\(parent)/\(name)/\(limitFile)", encoding: .utf8)) == "\(limit)\n"
            }
        }
        try await withService(SandboxConfiguration(memoryBytes: limit)) { service in
            #expect(try await service.run("import os\nos.getpid()", in: "a").output == "2\n")
            let created = groups()
            #expect(created.count == 1)
            for name in created {
                let members = try String(contentsOfFile: "\(parent)/\(name)/cgroup.procs", encoding: .utf8)
                #expect(members.split(separator: "\n").count == 3, "\(members)")  // bwrap, its init, python
            }
            await service.endSession("a")
            // The group goes once the host has reaped the session's last process.
            for _ in 0..<200 where !groups().isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            #expect(groups().isEmpty)
        }
    }

    @Test func outputFilesOverTheQuotaAreRefusedWithANote() async throws {
        // Small sizes keep the test quick; the quota works the same in MiB.
        try await withService(SandboxConfiguration(diskQuotaBytes: 64 << 10)) { service in
            let first = try await service.run(
                "open('a.bin', 'wb').write(b'a' * (40 << 10))\nopen('b.bin', 'wb').write(b'b' * (40 << 10))", in: "a")
            #expect(first.files.map(\.name) == ["a.bin"])
            #expect(first.files.first?.contents.count == 40 << 10)
            #expect(first.output.contains(
                "[b.bin (40 KiB) was not returned: the files and images of this session may take 64 KiB in all, and 24 KiB are left.]"),
                "\(first.output)")
            // The quota is the session's, over its life.
            let second = try await service.run(
                "open('c.bin', 'wb').write(b'c' * (30 << 10))\nopen('d.txt', 'w').write('small')", in: "a")
            #expect(second.files == [SandboxFile(name: "d.txt", contents: Data("small".utf8))])
            #expect(second.output.contains("[c.bin (30 KiB) was not returned"), "\(second.output)")
            // Another session has its own.
            let other = try await service.run("open('c.bin', 'wb').write(b'c' * (30 << 10))", in: "b")
            #expect(other.files.map(\.name) == ["c.bin"])
        }
    }

    @Test func aFileThatGrowsPastTheQuotaAfterListingIsRefused() async throws {
        try await withService(SandboxConfiguration(diskQuotaBytes: 64 << 10)) { service in
            // A background thread grows the file after the runner listed it, before the server asks for it.
            let result = try await service.run(
                """
                import threading, time
                open('grow.bin', 'wb').write(b'x')
                def grow():
                    time.sleep(0.05)
                    open('grow.bin', 'ab').write(b'x' * (100 << 10))
                threading.Thread(target=grow).start()
                time.sleep(0.01)
                """, in: "a")
            let sizes = result.files.map(\.contents.count)
            #expect(sizes.allSatisfy { $0 <= 64 << 10 }, "\(sizes)")
        }
    }

    @Test(.enabled(if: matplotlibInstalled, "matplotlib is not installed for /usr/bin/python3 (apt-get install python3-matplotlib)"))
    func figuresCountAgainstTheQuota() async throws {
        try await withService(SandboxConfiguration(diskQuotaBytes: 1000)) { service in
            let result = try await service.run(
                "import matplotlib.pyplot as plt\nplt.plot(range(100))\nplt.show()", in: "a")
            #expect(result.images.isEmpty)
            #expect(result.output.contains("[figure 1 omitted: the session's output quota has 1000 bytes left]"), "\(result.output)")
        }
    }

    @Test func withoutACgroupEachProcessIsLimitedAndTheirNumberIsSmall() throws {
        let configuration = SandboxConfiguration(memoryBytes: 1 << 30, maxProcesses: 64)
        let launcher = try SandboxLauncher(
            configuration: configuration, switchesUser: false, memory: .processLimits(reason: "test"))
        #expect(launcher.limitArguments().contains("--as=\(1 << 30)"))
        #expect(launcher.limitArguments().contains("--nproc=\(SandboxConfiguration.fallbackProcesses)"))
        let grouped = try SandboxLauncher(
            configuration: configuration, switchesUser: false, memory: .cgroupV1(memory: "/nonexistent", pids: nil))
        #expect(grouped.limitArguments().contains("--nproc=64"))
    }
}

@Suite("Finding the cgroup hierarchy")
struct ControlGroupDiscoveryTests {
    @Test func ownGroupsOfV1AndV2() {
        let groups = ControlGroups.ownGroups(
            "9:name=systemd:/\n4:memory:/service/a\n2:cpu,cpuacct:/\n1:pids:/service/a\n0::/system.slice/x.service\n")
        #expect(groups["memory"] == "/service/a")
        #expect(groups["pids"] == "/service/a")
        #expect(groups["cpuacct"] == "/")
        #expect(groups["0::"] == "/system.slice/x.service")
    }

    @Test func mountsAreReadWithTheirRoots() {
        // A container that sees only its own subtree of the v1 memory hierarchy, and a host's cgroup2 mount.
        let mounts = ControlGroups.cgroupMounts(
            """
            30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate
            41 35 0:36 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory
            22 1 8:1 / / rw - ext4 /dev/sda1 rw
            """)
        #expect(mounts.count == 2)
        #expect(mounts[0].directory(for: "/system.slice/x.service") == "/sys/fs/cgroup/system.slice/x.service")
        #expect(mounts[0].directory(for: "/") == "/sys/fs/cgroup")
        #expect(mounts[1].options.contains("memory"))
        #expect(mounts[1].directory(for: "/docker/abc") == "/sys/fs/cgroup/memory")
        #expect(mounts[1].directory(for: "/docker/abc/sub") == "/sys/fs/cgroup/memory/sub")
    }
}

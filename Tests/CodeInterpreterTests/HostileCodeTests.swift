import CodeInterpreter
import Foundation
import Testing

/// Untrusted code against the sandbox: each attack is contained, and afterwards new sessions still work.
@Suite("Hostile code is contained")
struct HostileCodeTests {
    @Test func loopbackOfTheHostIsUnreachable() async throws {
        let listener = try LoopbackListener()
        try await withService(hostileConfiguration) { service in
            let result = try await service.run(
                """
                import socket
                try:
                    socket.create_connection(('127.0.0.1', \(listener.port)), timeout=3)
                    print('CONNECTED')
                except OSError as error:
                    print('blocked', type(error).__name__)
                """, in: "a")
            #expect(result.output == "blocked ConnectionRefusedError\n")
            #expect(!listener.wasContacted)
            try await service.expectHealthy()
        }
    }

    @Test func noRouteNoResolverNoExternalConnection() async throws {
        try await withService(hostileConfiguration) { service in
            // Connects out only when there is no route, so a broken sandbox never sends a packet.
            let result = try await service.run(
                """
                import socket
                routes = open('/proc/net/route').read().splitlines()[1:]
                print('routes', len(routes), 'interfaces', [name for _, name in socket.if_nameindex()])
                try:
                    socket.getaddrinfo('example.com', 443)
                    print('RESOLVED')
                except OSError as error:
                    print('resolve failed')
                if not routes:
                    try:
                        socket.create_connection(('192.0.2.1', 80), timeout=3)
                        print('CONNECTED')
                    except OSError as error:
                        print('connect failed', error.strerror)
                """, in: "a")
            #expect(result.output == "routes 0 interfaces ['lo']\nresolve failed\nconnect failed Network is unreachable\n")
            try await service.expectHealthy()
        }
    }

    @Test func hostFilesAreInvisible() async throws {
        let secret = NSTemporaryDirectory() + "code-interpreter-test-\(UUID().uuidString)"
        try Data("host secret".utf8).write(to: URL(fileURLWithPath: secret))
        defer { try? FileManager.default.removeItem(atPath: secret) }
        // Something the host's working directory holds, which the sandbox must not show.
        let cwd = FileManager.default.currentDirectoryPath
        let hostEntry = cwd + "/" + (try FileManager.default.contentsOfDirectory(atPath: cwd).sorted().first ?? "")
        try await withService(hostileConfiguration) { service in
            let result = try await service.run(
                """
                import os
                for path in ['/etc/shadow', '/etc/passwd', '/root', '/home', \(String(reflecting: hostEntry)), \(String(reflecting: secret))]:
                    try:
                        os.listdir(path) if os.path.isdir(path) else open(path).read()
                        print('VISIBLE', path)
                    except OSError as error:
                        print(type(error).__name__)
                print(sorted(os.listdir('/')), sorted(os.listdir('/etc')))
                """, in: "a")
            #expect(result.output == """
                FileNotFoundError
                FileNotFoundError
                FileNotFoundError
                FileNotFoundError
                FileNotFoundError
                FileNotFoundError
                ['bin', 'dev', 'etc', 'lib', 'lib64', 'mnt', 'proc', 'sbin', 'tmp', 'usr'] ['alternatives', 'fonts', 'ld.so.cache', 'matplotlibrc']

                """)
            try await service.expectHealthy()
        }
    }

    @Test func systemTreesAreReadOnly() async throws {
        try await withService(hostileConfiguration) { service in
            let result = try await service.run(
                """
                for directory in ['/', '/usr', '/usr/lib', '/etc', '/dev', '/mnt', '/proc/sys']:
                    try:
                        open(directory + '/probe', 'w').close()
                        print('WRITABLE', directory)
                    except OSError as error:
                        pass
                """, in: "a")
            #expect(result.output == "")
        }
    }

    @Test func anotherSessionsDataIsNowhereToBeFound() async throws {
        try await withService(hostileConfiguration) { service in
            let secret = "secret-\(UUID().uuidString)"
            _ = try await service.run(
                "open('/mnt/data/s.txt', 'w').write('\(secret)')\nopen('/tmp/s.txt', 'w').write('\(secret)')", in: "a")
            let search = try await service.run(
                """
                import os
                found = []
                for top in ['/mnt', '/tmp', '/dev/shm', '/etc', '/proc']:
                    for root, dirs, files in os.walk(top):
                        if root == '/proc':
                            dirs[:] = [d for d in dirs if d.isdigit()]
                        for name in files:
                            path = os.path.join(root, name)
                            try:
                                if os.path.isfile(path) and os.path.getsize(path) < 1 << 20 and b'\(secret)' in open(path, 'rb').read():
                                    found.append(path)
                            except OSError:
                                pass
                print(found, sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))
                """, in: "b")
            #expect(search.output.hasPrefix("[] [1, 2]"), "\(search.output)")
            #expect(try await service.run("open('/mnt/data/s.txt').read()", in: "a").output == "'\(secret)'\n")
        }
    }

    @Test func resourceLimitsAreInForce() async throws {
        try await withService(hostileConfiguration) { service in
            let result = try await service.run(
                """
                import os, resource
                print([resource.getrlimit(getattr(resource, 'RLIMIT_' + name)) for name in ['AS', 'CPU', 'FSIZE', 'NPROC', 'NOFILE', 'CORE']])
                print(os.getuid() != 0, [os.statvfs(p).f_blocks * os.statvfs(p).f_frsize for p in ['/mnt/data', '/tmp', '/dev/shm']])
                print(open('/proc/self/oom_score_adj').read().strip())
                """, in: "a")
            let limits = [1 << 30, 600, 256 << 20, 64, 256, 0].map { "(\($0), \($0))" }.joined(separator: ", ")
            #expect(result.output == "[\(limits)]\nTrue [\(32 << 20), \(32 << 20), \(16 << 20)]\n1000\n")
        }
    }

    @Test func dataDefaultsToTheDiskQuotaAndScratchSpaceIsSmall() async throws {
        try await withService(SandboxConfiguration(diskQuotaBytes: 100 << 20)) { service in
            let result = try await service.run(
                "import os\n[os.statvfs(p).f_blocks * os.statvfs(p).f_frsize for p in ['/mnt/data', '/tmp', '/dev/shm']]",
                in: "a")
            #expect(result.output == "[\(100 << 20), \(64 << 20), \(16 << 20)]\n")
        }
    }

    @Test func forkBombIsStoppedByTheProcessLimit() async throws {
        try await withService(hostileConfiguration) { service in
            let result = try await service.run("import os\nwhile True:\n    os.fork()", in: "a")
            #expect(result.failed)
            #expect(result.output.contains("BlockingIOError: [Errno 11] Resource temporarily unavailable"))
            try await service.expectHealthy()
        }
    }

    @Test func memoryBombsHitTheAddressSpaceLimit() async throws {
        try await withService(hostileConfiguration) { service in
            let huge = try await service.run("a = bytearray(10**11)", in: "a")
            #expect(huge.failed && huge.output.hasSuffix("MemoryError\n"))
            let growing = try await service.run("a = []\nwhile True:\n    a.append(bytearray(10**7))", in: "a")
            #expect(growing.failed)
            #expect(growing.output.contains("MemoryError") || growing.output.contains("session was reset"))
            try await service.expectHealthy()
        }
    }

    @Test func infiniteLoopTimesOutAndTheNextCallGetsAFreshSession() async throws {
        try await withService(SandboxConfiguration(executionTimeout: .seconds(2))) { service in
            _ = try await service.run("x = 1", in: "a")
            let start = ContinuousClock.now
            let looped = try await service.run("while True:\n    pass", in: "a")
            // Without the timeout the call would never return; the margin is for a loaded machine, where
            // killing the session and starting the next takes seconds.
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(looped.failed)
            #expect(looped.output.contains("execution timed out after 2 s"))
            #expect(looped.output.contains("session was reset"))
            let next = try await service.run("'x' in globals()", in: "a")
            #expect(next.output == "False\n" && !next.failed)
        }
    }

    @Test func gigabyteOfOutputIsCappedInBoundedTime() async throws {
        try await withService(hostileConfiguration) { service in
            let start = ContinuousClock.now
            let result = try await service.run("line = 'x' * 999\nfor _ in range(10**6):\n    print(line)", in: "a")
            #expect(ContinuousClock.now - start < .seconds(30))
            #expect(!result.failed)
            #expect(result.output.count <= 20_100)
            #expect(result.output.contains("[... 999980000 bytes of output omitted ...]"))
            try await service.expectHealthy()
        }
    }

    @Test func fillingTheDiskStopsAtTheDataSize() async throws {
        try await withService(hostileConfiguration) { service in
            let result = try await service.run(
                """
                written = 0
                try:
                    with open('big', 'wb') as f:
                        while True:
                            written += f.write(b'x' * (1 << 20))
                except OSError as error:
                    print(error.strerror, written <= 32 << 20)
                """, in: "a")
            #expect(result.output == "No space left on device True\n")
            #expect(result.files.count == 1 && result.files[0].contents.count <= 32 << 20)
            try await service.expectHealthy()
        }
    }

    @Test func killingTheSandboxParentsResetsAtMostThatSession() async throws {
        try await withService(hostileConfiguration) { service in
            // The sandbox's parent is its pid 1, which ignores signals from inside; -1 reaches only the caller.
            _ = try await service.run("import os\nkept = 1", in: "a")
            for code in ["os.kill(os.getppid(), 9)", "os.kill(1, 9)", "os.kill(-1, 9)"] {
                _ = try await service.run(code, in: "a")
                try await service.expectHealthy()
            }
            #expect(try await service.run("kept", in: "a").output == "1\n")
            let result = try await service.run("os.kill(os.getpid(), 9)", in: "a")
            #expect(result.failed && result.output.contains("was killed (SIGKILL)"), "\(result.output)")
            #expect(result.output.contains("session was reset"))
            #expect(try await service.run("'kept' in globals()", in: "a").output == "False\n")
            try await service.expectHealthy()
        }
    }

    @Test func writingToTheControlChannelResetsOnlyThatSession() async throws {
        try await withService(hostileConfiguration) { service in
            _ = try await service.run("x = 1", in: "b")
            let result = try await service.run(
                "import os\nfor fd in range(3, 32):\n    try:\n        os.write(fd, b'{\"id\": 99, \"ok\": true}\\n')\n    except OSError:\n        pass",
                in: "a")
            #expect(result.failed && result.output.contains("the code wrote to the session's control channel"), "\(result.output)")
            #expect(try await service.run("x", in: "b").output == "1\n")
            try await service.expectHealthy()
        }
    }

    @Test func twentySessionsStartedAtOnceAllWork() async throws {
        try await withService { service in
            let outputs = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<20 {
                    group.addTask { (index, try await service.run("n = \(index)\nn * 2", in: "s\(index)").output) }
                }
                return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
            }
            #expect(outputs == Dictionary(uniqueKeysWithValues: (0..<20).map { ($0, "\($0 * 2)\n") }))
            #expect(service.activeSessions == 20)
        }
    }
}

import CodeInterpreter
import Testing

@Suite("Without bubblewrap")
struct AvailabilityTests {
    @Test func missingBubblewrapIsAnErrorThatSaysHowToInstallIt() async throws {
        let service = CodeInterpreterService(configuration: SandboxConfiguration(bubblewrapPath: "/nonexistent/bwrap"))
        do {
            _ = try await service.execute("1", session: "a", files: [])
            Issue.record("executed without a sandbox")
        } catch {
            guard case .sandboxUnavailable(let message) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(message.contains("apt-get install bubblewrap"))
        }
    }

    @Test func allowUnsandboxedRunsTheCodeAnyway() async throws {
        try await withService(SandboxConfiguration(bubblewrapPath: "/nonexistent/bwrap", allowUnsandboxed: true)) { service in
            let result = try await service.run("import os\nopen('f.txt', 'w').write('x')\nx = 6 * 7\nx", in: "a")
            #expect(result.output == "42\n")
            #expect(result.files == [SandboxFile(name: "f.txt", contents: "x".data(using: .utf8)!)])
            #expect(try await service.run("x", in: "a").output == "42\n")
        }
    }
}

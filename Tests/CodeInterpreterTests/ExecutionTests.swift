import CodeInterpreter
import Foundation
import Testing

@Suite("Executions behave like notebook cells")
struct ExecutionTests {
    @Test func stateSurvivesAcrossExecutionsOfOneSession() async throws {
        try await withService { service in
            let assigned = try await service.run("x = 41", in: "a")
            #expect(assigned.output == "" && !assigned.failed)
            #expect(try await service.run("x + 1", in: "a").output == "42\n")
        }
    }

    @Test func sessionsShareNoState() async throws {
        try await withService { service in
            _ = try await service.run("secret = 'a'", in: "a")
            let other = try await service.run("secret", in: "b")
            #expect(other.failed)
            #expect(other.output.contains("NameError: name 'secret' is not defined"))
        }
    }

    @Test func finalExpressionIsShownAndNoneIsNot() async throws {
        try await withService { service in
            let list = try await service.run("y = 2\n[y, 'two']", in: "a")
            #expect(list.output == "[2, 'two']\n")
            #expect(try await service.run("None", in: "a").output == "")
            #expect(try await service.run("print('p')\n'v'", in: "a").output == "p\n'v'\n")
        }
    }

    @Test func printedOutputOfPythonAndOfSubprocessesIsCaptured() async throws {
        try await withService { service in
            let result = try await service.run(
                "import os, sys\nprint('out')\nprint('err', file=sys.stderr)\nos.system('echo from-c')", in: "a")
            #expect(result.output == "out\nerr\nfrom-c\n0\n")
            #expect(!result.failed)
        }
    }

    @Test func exceptionIsOutputAndSessionKeepsState() async throws {
        try await withService { service in
            _ = try await service.run("kept = 7", in: "a")
            let raised = try await service.run("def f():\n    return 1 / 0\nf()", in: "a")
            #expect(raised.failed)
            #expect(raised.output.hasPrefix("Traceback (most recent call last):"))
            #expect(raised.output.contains("line 2, in f"))
            #expect(raised.output.hasSuffix("ZeroDivisionError: division by zero\n"))
            let syntax = try await service.run("def (:", in: "a")
            #expect(syntax.failed && syntax.output.contains("SyntaxError"))
            let after = try await service.run("kept", in: "a")
            #expect(after.output == "7\n" && !after.failed)
        }
    }

    @Test func sessionThatDiedWhileIdleIsReplacedWithANote() async throws {
        try await withService { service in
            _ = try await service.run(
                "import os, threading, time\nthreading.Thread(target=lambda: (time.sleep(0.2), os._exit(3))).start()", in: "a")
            try await Task.sleep(for: .seconds(1))
            let next = try await service.run("'os' in globals()", in: "a")
            #expect(next.output == "[The previous session ended (the Python process exited with status 3); this code runs in a fresh one, without the earlier variables and files.]\nFalse\n")
        }
    }

    @Test func cancellingTheCallerKillsTheExecution() async throws {
        try await withService { service in
            _ = try await service.run("pass", in: "a")
            let running = Task { try await service.run("while True:\n    pass", in: "a") }
            try await Task.sleep(for: .milliseconds(300))
            running.cancel()
            let result = try await running.value
            #expect(result.failed && result.output.contains("execution was cancelled"), "\(result.output)")
            #expect(try await service.run("1", in: "a").output == "1\n")
        }
    }

    @Test func executionsOnOneKeyAreSerialized() async throws {
        try await withService { service in
            _ = try await service.run("n = 0", in: "a")
            let outputs = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<10 { group.addTask { try await service.run("n += 1\nn", in: "a").output } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(outputs) == Set((1...10).map { "\($0)\n" }))
        }
    }

    @Test func outputIsCappedToHeadAndTail() async throws {
        try await withService(SandboxConfiguration(outputLimit: 1000)) { service in
            let result = try await service.run("print('A' * 3000 + 'Z' * 3000)", in: "a")
            #expect(result.output.hasPrefix("AAAA") && result.output.hasSuffix("ZZZZ\n"))
            #expect(result.output.contains("bytes of output omitted"))
            #expect(result.output.count < 1100)
        }
    }

    @Test func endSessionDiscardsState() async throws {
        try await withService { service in
            _ = try await service.run("x = 1", in: "a")
            #expect(service.activeSessions == 1)
            await service.endSession("a")
            #expect(service.activeSessions == 0)
            #expect(try await service.run("x", in: "a").failed)
        }
    }

    @Test func idleSessionsAreReclaimedAndShutdownEndsAll() async throws {
        let service = CodeInterpreterService(configuration: SandboxConfiguration(idleTimeout: .milliseconds(300)))
        let running = Task { try await service.run() }
        _ = try await service.run("1", in: "a")
        #expect(service.activeSessions == 1)
        // Reclaimed once idle past 300 ms; the sweep and the process's exit take longer on a busy machine.
        let deadline = ContinuousClock.now + .seconds(15)
        while service.activeSessions > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(service.activeSessions == 0)
        _ = try await service.run("1", in: "b")
        running.cancel()
        try await running.value
        #expect(service.activeSessions == 0)
        await #expect(throws: CodeInterpreterError.shutDown) { try await service.run("1", in: "c") }
    }
}

import CodeInterpreter
import Foundation
import Testing

/// Runs `body` against a fresh service and shuts it down afterwards, whatever happens.
func withService(
    _ configuration: SandboxConfiguration = .init(), _ body: (CodeInterpreterService) async throws -> Void
) async throws {
    let service = CodeInterpreterService(configuration: configuration)
    do {
        try await body(service)
        await service.shutdown()
    } catch {
        await service.shutdown()
        throw error
    }
}

extension CodeInterpreterService {
    func run(_ code: String, in key: String, files: [SandboxFile] = []) async throws -> ExecutionResult {
        try await execute(code, session: key, files: files)
    }

    /// After hostile code: a brand-new session still works.
    func expectHealthy(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let result = try await run("6 * 7", in: UUID().uuidString)
        #expect(result.output == "42\n", sourceLocation: sourceLocation)
        #expect(!result.failed, sourceLocation: sourceLocation)
    }
}

/// Limits small enough that hostile tests finish fast, with a timeout long enough for 1 GB of output.
let hostileConfiguration = SandboxConfiguration(executionTimeout: .seconds(40), dataBytes: 32 << 20)

let matplotlibInstalled: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = ["-c", "import matplotlib"]
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}()

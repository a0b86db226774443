import ArgumentParser
import FakeModel
import Foundation

/// `fake-model [--port N]`: the scripted model server, for tests outside Swift.
@main
struct FakeModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-model",
        abstract: "A scripted OpenAI-compatible chat-completions server for tests, on 127.0.0.1.")

    @Option(help: "Port to listen on; 0 lets the OS pick one.") var port = 0
    @Option(help: "The models' owner in GET /v1/models; \"llamacpp\" passes for llama.cpp's server.") var modelOwner = "fake-model"

    func run() async throws {
        try await FakeModelServer.run(port: port, modelOwner: modelOwner) { port in
            // Tests read this line to find the port; FileHandle writes are unbuffered, so nothing waits for a flush.
            FileHandle.standardOutput.write(Data("fake-model listening on 127.0.0.1:\(port)\n".utf8))
        }
    }
}

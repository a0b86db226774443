import AssistantsAPI
import AssistantsServer
import Foundation
import Testing

@Suite struct AccessTests {
    @Test func apiKeysAreRequiredWhenConfigured() async throws {
        try await TestAPI.run(apiKeys: ["sk-right-key-1234"]) { api in
            #expect(try await api.call(.get, "/v1/assistants").status == .ok)
            let missing = try await api.send(.get, "/v1/assistants", headers: [TestAPI.betaHeader: "assistants=v2"], body: nil)
            #expect(missing.status == .unauthorized)
            #expect(missing.error?.message.contains("You didn't provide an API key") == true)
            let wrong = try await api.call(.get, "/v1/assistants", headers: [.authorization: "Bearer sk-wrong-key-9999"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.error?.code == "invalid_api_key")
            #expect(wrong.error?.message.contains("sk-wrong-key") == false)
            let health = try await api.send(.get, "/health", headers: [:], body: nil)
            #expect(health.status == .ok)
        }
    }

    @Test func keysCompareInFull() async throws {
        try await TestAPI.run(apiKeys: ["sk-key-one-1234", "sk-key-two-5678"]) { api in
            for key in ["sk-key-one-1234", "sk-key-two-5678"] {
                let status = try await api.call(.get, "/v1/assistants", headers: [.authorization: "Bearer \(key)"]).status
                #expect(status == .ok)
            }
            for key in ["sk-key-one-123", "sk-key-one-12345", "sk-key-one-1235", "x"] {
                let status = try await api.call(.get, "/v1/assistants", headers: [.authorization: "Bearer \(key)"]).status
                #expect(status == .unauthorized, "\(key)")
            }
        }
    }

    @Test func betaHeaderIsRequiredOnAssistantsAndThreadsOnly() async throws {
        try await TestAPI.run { api in
            for path in ["/v1/assistants", "/v1/threads/thread_x"] {
                let reply = try await api.call(.get, path, beta: false)
                #expect(reply.status == .badRequest)
                #expect(reply.error?.code == "invalid_beta")
            }
            let v1 = try await api.call(.get, "/v1/assistants", beta: false, headers: [TestAPI.betaHeader: "assistants=v1"])
            #expect(v1.error?.message.contains("v1 Assistants API has been deprecated") == true)
            #expect(try await api.call(.get, "/v1/files", beta: false).status == .ok)
        }
    }

    @Test func unknownRoutesAreOpenAIStyle404s() async throws {
        try await TestAPI.run { api in
            let reply = try await api.call(.get, "/v1/nothing")
            #expect(reply.status == .notFound)
            #expect(reply.error?.message == "Invalid URL (GET /v1/nothing)")
        }
    }

    @Test func openServerOnlyOnLoopback() throws {
        #expect(throws: Never.self) { try ServerConfiguration(host: "127.0.0.1").checkExposure(storedKeysExist: false) }
        #expect(throws: Never.self) { try ServerConfiguration(host: "0.0.0.0", apiKeys: ["k"]).checkExposure(storedKeysExist: false) }
        #expect(throws: Never.self) { try ServerConfiguration(host: "0.0.0.0").checkExposure(storedKeysExist: true) }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(host: "0.0.0.0").checkExposure(storedKeysExist: false) }
        #expect(ServerConfiguration.parseKeys(" a, b,,c ") == ["a", "b", "c"])
    }

    @Test func codeInterpreterSizes() throws {
        #expect(try ServerConfiguration.parseByteSize("1G", "V") == 1 << 30)
        #expect(try ServerConfiguration.parseByteSize(" 512 MiB", "V") == 512 << 20)
        #expect(try ServerConfiguration.parseByteSize("4096", "V") == 4096)
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.parseByteSize("lots", "V") }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.parseByteSize("-1M", "V") }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(codeMemory: 16 << 20).validate() }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(codeDiskQuota: 0).validate() }
    }

    @Test func databaseLocation() throws {
        let dataDirectory = URL(fileURLWithPath: "/srv/data")
        #expect(ServerConfiguration(dataDirectory: dataDirectory).database() == .sqlite(path: "/srv/data/assistants.sqlite"))
        #expect(ServerConfiguration(databaseURL: "sqlite:///var/db.sqlite").database() == .sqlite(path: "/var/db.sqlite"))
        #expect(ServerConfiguration(databaseURL: "/tmp/x.sqlite").database() == .sqlite(path: "/tmp/x.sqlite"))
        #expect(ServerConfiguration(databaseURL: "postgres://u@db/x").database() == .postgres(url: "postgres://u@db/x"))
        #expect(ServerConfiguration(databaseURL: "postgresql://u@db/x").database() == .postgres(url: "postgresql://u@db/x"))
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(databasePoolSize: 0).validate() }
    }

    @Test func nodeID() throws {
        // By default the host name and the process id: two processes on one machine never share it.
        let id = ServerConfiguration().nodeID
        #expect(id.hasSuffix("-\(ProcessInfo.processInfo.processIdentifier)"))
        #expect(id.hasPrefix(ProcessInfo.processInfo.hostName))
        var configuration = ServerConfiguration()
        configuration.nodeID = " "
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
    }

    @Test func contextWindow() throws {
        var configuration = ServerConfiguration()
        #expect(configuration.contextWindow == 128_000)
        configuration.contextWindow = nil
        try configuration.validate()
        configuration.contextWindow = -1
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
    }
}

// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "swift-assistants",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "assistants", targets: ["assistants"]),
        .executable(name: "fake-model", targets: ["fake-model"]),
        .library(name: "AssistantsClient", targets: ["AssistantsClient"]),
        .library(name: "AssistantAgent", targets: ["AssistantAgent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // SHA-256 of API keys; postgres-nio depends on it already.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // Wire types, ids, validation and errors: pure values, no I/O.
        .target(name: "AssistantsAPI"),
        // The store protocol and the blob store: what the rest of the system may assume about persistence.
        .target(name: "AssistantsStore", dependencies: [
            "AssistantsAPI",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The SQLite (GRDB) implementation of the store.
        .target(name: "SQLiteStore", dependencies: [
            "AssistantsStore",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The PostgreSQL (postgres-nio) implementation of the store, for several nodes sharing one database.
        .target(name: "PostgresStore", dependencies: [
            "AssistantsStore", "Retrieval",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Clients for OpenAI-compatible chat-completions endpoints.
        .target(name: "ModelProviders", dependencies: [
            "AssistantsAPI",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // The run queue and the run loop: context building, tool calls, streaming events; vector stores
        // (ingestion, search) and the built-in tools.
        .target(name: "AssistantsEngine", dependencies: [
            "AssistantsAPI", "AssistantsStore", "ModelProviders", "CodeInterpreter", "Retrieval",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // Stateful Python sessions in a bubblewrap sandbox, one per thread.
        .target(name: "CodeInterpreter", dependencies: [
            .product(name: "Subprocess", package: "swift-subprocess"),
            .product(name: "SystemPackage", package: "swift-system"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // Text extraction, chunking and search (BM25 over in-memory postings, optional dense vectors) for
        // file_search; the chunks in a SQLite file (`SQLiteChunkStorage`) or another `ChunkStorage`.
        .target(name: "Retrieval", dependencies: [
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        // HTTP routes, SSE, auth, error mapping and server configuration.
        .target(name: "AssistantsServer", dependencies: [
            "AssistantsAPI", "AssistantsStore", "SQLiteStore", "PostgresStore", "AssistantsEngine", "ModelProviders", "Retrieval",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "MultipartKit", package: "multipart-kit"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], plugins: ["EmbedConsole"]),
        // Compiles the web console (console/) into AssistantsServer at build time.
        .plugin(name: "EmbedConsole", capability: .buildTool(), dependencies: ["embed-console"]),
        .executableTarget(name: "embed-console"),
        .executableTarget(name: "assistants", dependencies: [
            "AssistantsServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // A scripted OpenAI-compatible chat-completions server for tests: in-process or as `fake-model`.
        .target(name: "FakeModel", dependencies: [
            "AssistantsAPI",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "fake-model", dependencies: [
            "FakeModel",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The Swift SDK: every endpoint over AsyncHTTPClient, typed streams, pagination, polling.
        .target(name: "AssistantsClient", dependencies: [
            "AssistantsAPI",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // Runs an assistant with local Swift tools until it answers: LangChain's runnable and executor in one.
        .target(name: "AssistantAgent", dependencies: ["AssistantsClient"]),
        // The SDK's examples (see README): `swift run math-tutor`, `weather-agent`, `existing-assistant`.
        .executableTarget(name: "math-tutor", dependencies: ["AssistantsClient"], path: "Examples/MathTutor"),
        .executableTarget(name: "weather-agent", dependencies: ["AssistantAgent"], path: "Examples/WeatherAgent"),
        .executableTarget(name: "existing-assistant", dependencies: ["AssistantAgent"], path: "Examples/ExistingAssistant"),
        // `swift run -c release run-benchmarks`: see BENCHMARKS.md.
        .executableTarget(
            name: "run-benchmarks",
            dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "benchmarks/RunBenchmarks"),
        // `swift run -c release sandbox-benchmarks`: see BENCHMARKS.md.
        .executableTarget(name: "sandbox-benchmarks", dependencies: ["CodeInterpreter"], path: "benchmarks/SandboxBenchmarks"),
        // `swift run -c release retrieval-benchmarks <scifact dir>`: see BENCHMARKS.md.
        .executableTarget(
            name: "retrieval-benchmarks",
            dependencies: ["Retrieval", "ModelProviders", "PostgresStore", .product(name: "Logging", package: "swift-log")],
            path: "benchmarks/RetrievalBenchmarks"),
        .testTarget(name: "AssistantsAPITests", dependencies: ["AssistantsAPI"]),
        .testTarget(name: "CodeInterpreterTests", dependencies: ["CodeInterpreter"]),
        .testTarget(name: "RetrievalTests", dependencies: [
            "Retrieval", "PostgresStore", "PostgresTestSupport", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ModelProvidersTests", dependencies: ["ModelProviders", "FakeModel"]),
        .testTarget(name: "AssistantsEngineTests", dependencies: [
            "AssistantsEngine", "SQLiteStore", "PostgresStore", "PostgresTestSupport", "ModelProviders", "FakeModel", "Retrieval",
            "CodeInterpreter",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "FakeModelTests", dependencies: ["FakeModel", "AssistantsAPI"]),
        .testTarget(name: "AssistantsStoreTests", dependencies: [
            "AssistantsStore", "SQLiteStore", "PostgresStore", "PostgresTestSupport", "AssistantsEngine", "ModelProviders", "FakeModel",
            "Retrieval",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The PostgreSQL database the tests of every backend-dependent suite share (ASSISTANTS_TEST_POSTGRES_URL).
        .target(name: "PostgresTestSupport", dependencies: [
            "PostgresStore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/PostgresTestSupport"),
        // The server's parts on in-memory storage with the fake model, for the HTTP and SDK tests.
        .target(name: "TestStack", dependencies: [
            "AssistantsServer", "AssistantsEngine", "AssistantsStore", "FakeModel",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], path: "Tests/TestStack"),
        .testTarget(name: "AssistantsClientTests", dependencies: [
            "AssistantsClient", "AssistantAgent", "AssistantsServer", "AssistantsEngine", "FakeModel", "TestStack",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "AssistantsServerTests", dependencies: [
            "AssistantsServer", "AssistantsEngine", "AssistantsStore", "FakeModel", "TestStack", "PostgresStore", "PostgresTestSupport",
            "SQLiteStore", "Retrieval", "ModelProviders",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

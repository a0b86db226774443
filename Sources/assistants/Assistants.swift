import ArgumentParser
import AssistantsServer
import Foundation
import Hummingbird
import Logging

@main
struct Assistants: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assistants",
        abstract: "A self-hosted server for the OpenAI Assistants API v2.",
        subcommands: [Serve.self, Migrate.self, Projects.self, Keys.self])
}

/// `assistants serve`: every option falls back to its ASSISTANTS_* environment variable, then a default.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the HTTP server.")

    @Option(help: "Address to listen on (ASSISTANTS_HOST, default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (ASSISTANTS_PORT, default 8080).") var port: Int?
    @Option(help: "Directory for the database and files (ASSISTANTS_DATA_DIR, default ./.assistants).") var dataDir: String?
    @Option(help: "Database URL: a SQLite path or postgres://user:password@host:port/db (ASSISTANTS_DATABASE_URL, default a SQLite file in the data dir).") var databaseURL: String?
    @Option(help: "Most PostgreSQL connections this process opens (ASSISTANTS_DATABASE_POOL_SIZE, default 16).") var databasePoolSize: Int?
    @Option(help: "Seconds connecting to a PostgreSQL database may take before start-up fails (ASSISTANTS_DATABASE_CONNECT_TIMEOUT, default 5).") var databaseConnectTimeout: Int?
    @Option(help: "This node's name among the nodes sharing a database (ASSISTANTS_NODE_ID, default host name and process id).") var nodeID: String?
    @Option(help: "Seconds after its last heartbeat that a node is taken for dead and its work ends or moves on (ASSISTANTS_NODE_LEASE_TTL, default 15).") var nodeLeaseTTL: Int?
    @Option(help: "Comma-separated API keys clients must send (ASSISTANTS_API_KEYS).") var apiKeys: String?
    @Option(help: "Requests each API key may make per minute, unless its project sets its own (ASSISTANTS_REQUESTS_PER_MINUTE, default no limit).") var requestsPerMinute: Int?
    @Option(help: "Runs and responses a project may have active at once, unless it sets its own limit (ASSISTANTS_MAX_ACTIVE_RUNS, default no limit).") var maxActiveRuns: Int?
    @Option(help: "Bytes a project's files may hold, e.g. 10G, unless it sets its own quota (ASSISTANTS_STORAGE_QUOTA, default no limit).") var storageQuota: String?
    @Option(help: "Bytes of files a project may add per day (UTC), e.g. 1G, unless it sets its own quota (ASSISTANTS_UPLOADS_PER_DAY, default no limit).") var uploadsPerDay: String?
    @Option(help: "Bearer token GET /metrics requires; without one it answers only on a loopback address (ASSISTANTS_METRICS_TOKEN).") var metricsToken: String?
    @Option(help: "OpenAI-compatible model endpoint, e.g. http://127.0.0.1:11434/v1 (ASSISTANTS_UPSTREAM_URL).") var upstreamURL: String?
    @Option(help: "API key for the model endpoint (ASSISTANTS_UPSTREAM_API_KEY).") var upstreamAPIKey: String?
    @Option(help: "Model name aliases, e.g. gpt-4o=llama3.1:8b,gpt-4o-mini=qwen2.5 (ASSISTANTS_MODEL_ALIASES).") var modelAliases: String?
    @Option(help: "How a tool_choice naming one function goes upstream: auto, object or required (ASSISTANTS_UPSTREAM_TOOL_CHOICE, default auto).") var upstreamToolChoice: String?
    @Flag(help: "Log every upstream request and its raw stream, keys redacted (ASSISTANTS_LOG_UPSTREAM=1).") var logUpstream = false
    @Option(help: "How many runs execute at once (ASSISTANTS_RUN_WORKERS, default 64).") var runWorkers: Int?
    @Option(help: "The models' context window in tokens, which a response's input must fit (truncation); 0 leaves it to the model endpoint (ASSISTANTS_CONTEXT_WINDOW, default 128000).") var contextWindow: Int?
    @Option(help: "Seconds one code interpreter execution may take (ASSISTANTS_CODE_TIMEOUT, default 60).") var codeTimeout: Int?
    @Option(help: "Seconds an idle code interpreter session is kept (ASSISTANTS_CODE_IDLE_TIMEOUT, default 3600).") var codeIdleTimeout: Int?
    @Option(help: "Memory of one code interpreter session, all its processes and files together, e.g. 1G (ASSISTANTS_CODE_MEMORY, default 1G).") var codeMemory: String?
    @Option(help: "Bytes of files one code interpreter session may hand out, e.g. 256M (ASSISTANTS_CODE_DISK_QUOTA, default 256M).") var codeDiskQuota: String?
    @Flag(help: "Run model code WITHOUT the sandbox; development only (ASSISTANTS_UNSANDBOXED_CODE=1).") var unsandboxedCode = false
    @Option(help: "Upstream embedding model for hybrid file_search, e.g. nomic-embed-text (ASSISTANTS_EMBEDDING_MODEL).") var embeddingModel: String?
    @Option(help: "Comma-separated origins browsers may call the API from, or * (ASSISTANTS_CORS_ORIGINS).") var corsOrigins: String?
    @Option(help: "Seconds a client has to send a request's head (ASSISTANTS_HEADER_TIMEOUT, default 30).") var headerTimeout: Int?
    @Option(help: "Seconds a request body may pause (ASSISTANTS_BODY_IDLE_TIMEOUT, default 60).") var bodyIdleTimeout: Int?
    @Option(help: "Seconds an idle kept-alive connection stays open (ASSISTANTS_KEEP_ALIVE_TIMEOUT, default 75).") var keepAliveTimeout: Int?
    @Option(help: "Open connections at most (ASSISTANTS_MAX_CONNECTIONS, default 4096 or the open-files limit less 256).") var maxConnections: Int?
    @Option(help: "trace, debug, info, notice, warning, error or critical (ASSISTANTS_LOG_LEVEL, default info).") var logLevel: String?
    @Option(help: "json or text (ASSISTANTS_LOG_FORMAT, default text).") var logFormat: String?
    @Option(help: "Seconds a shutdown waits for runs in flight (ASSISTANTS_SHUTDOWN_GRACE_PERIOD, default 30).") var shutdownGracePeriod: Int?
    @Option(help: "Seconds a background response's stream stays resumable after it ended (ASSISTANTS_RESPONSE_EVENTS_RETENTION, default 86400).") var responseEventsRetention: Int?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let level = Logger.Level(rawValue: logLevel ?? environment["ASSISTANTS_LOG_LEVEL"] ?? "info") ?? .info
        let json = (logFormat ?? environment["ASSISTANTS_LOG_FORMAT"]) == "json"
        // Every line carries the request and run it was written for.
        LoggingSystem.bootstrap({ label, provider in
            var handler: any LogHandler = json
                ? JSONLogHandler(label: label, metadataProvider: provider)
                : StreamLogHandler.standardError(label: label, metadataProvider: provider)
            handler.logLevel = level
            return handler
        }, metadataProvider: .requestsAndRuns)
        let logger = Logger(label: "assistants")

        do {
            try await serve(configuration(environment), logger: logger)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }

    /// The flags, falling back to their environment variables.
    private func configuration(_ environment: [String: String]) throws -> ServerConfiguration {
        func setting(_ flag: String?, _ variable: String) -> String? { flag ?? environment[variable] }
        func number(_ flag: Int?, _ variable: String, default value: Int) throws -> Int {
            let text = setting(flag.map(String.init), variable) ?? String(value)
            guard let number = Int(text) else { throw ConfigurationError("Invalid \(variable) '\(text)': expected a number.") }
            return number
        }
        func size(_ flag: String?, _ variable: String, default value: String) throws -> Int {
            try ServerConfiguration.parseByteSize(setting(flag, variable) ?? value, variable)
        }
        var configuration = ServerConfiguration(
            host: setting(host, "ASSISTANTS_HOST") ?? "127.0.0.1",
            port: try number(port, "ASSISTANTS_PORT", default: 8080),
            dataDirectory: URL(fileURLWithPath: setting(dataDir, "ASSISTANTS_DATA_DIR") ?? ".assistants"),
            databaseURL: setting(databaseURL, "ASSISTANTS_DATABASE_URL"),
            databasePoolSize: try number(databasePoolSize, "ASSISTANTS_DATABASE_POOL_SIZE", default: 16),
            apiKeys: ServerConfiguration.parseKeys(setting(apiKeys, "ASSISTANTS_API_KEYS")),
            upstreamURL: setting(upstreamURL, "ASSISTANTS_UPSTREAM_URL"),
            upstreamAPIKey: setting(upstreamAPIKey, "ASSISTANTS_UPSTREAM_API_KEY"),
            modelAliases: try ServerConfiguration.parseAliases(setting(modelAliases, "ASSISTANTS_MODEL_ALIASES")),
            runWorkers: try number(runWorkers, "ASSISTANTS_RUN_WORKERS", default: 64),
            codeTimeout: .seconds(try number(codeTimeout, "ASSISTANTS_CODE_TIMEOUT", default: 60)),
            codeIdleTimeout: .seconds(try number(codeIdleTimeout, "ASSISTANTS_CODE_IDLE_TIMEOUT", default: 3600)),
            codeMemory: try size(codeMemory, "ASSISTANTS_CODE_MEMORY", default: "1G"),
            codeDiskQuota: try size(codeDiskQuota, "ASSISTANTS_CODE_DISK_QUOTA", default: "256M"),
            unsandboxedCode: unsandboxedCode || environment["ASSISTANTS_UNSANDBOXED_CODE"] == "1",
            embeddingModel: setting(embeddingModel, "ASSISTANTS_EMBEDDING_MODEL").flatMap { $0.isEmpty ? nil : $0 },
            corsOrigins: CORSOrigins.parse(setting(corsOrigins, "ASSISTANTS_CORS_ORIGINS")),
            connectionLimits: ConnectionLimits(
                headerTimeout: .seconds(try number(headerTimeout, "ASSISTANTS_HEADER_TIMEOUT", default: 30)),
                bodyIdleTimeout: .seconds(try number(bodyIdleTimeout, "ASSISTANTS_BODY_IDLE_TIMEOUT", default: 60)),
                keepAliveTimeout: .seconds(try number(keepAliveTimeout, "ASSISTANTS_KEEP_ALIVE_TIMEOUT", default: 75)),
                maxConnections: try number(maxConnections, "ASSISTANTS_MAX_CONNECTIONS", default: ConnectionLimits.defaultMaxConnections)),
            shutdownGracePeriod: .seconds(try number(shutdownGracePeriod, "ASSISTANTS_SHUTDOWN_GRACE_PERIOD", default: 30)))
        configuration.upstreamToolChoice = try ServerConfiguration.parseToolChoiceForm(setting(upstreamToolChoice, "ASSISTANTS_UPSTREAM_TOOL_CHOICE"))
        configuration.logUpstream = logUpstream || environment["ASSISTANTS_LOG_UPSTREAM"] == "1"
        configuration.databaseConnectTimeout = .seconds(try number(databaseConnectTimeout, "ASSISTANTS_DATABASE_CONNECT_TIMEOUT", default: 5))
        configuration.responseEventsRetention = .seconds(
            try number(responseEventsRetention, "ASSISTANTS_RESPONSE_EVENTS_RETENTION", default: 24 * 3600))
        if let nodeID = setting(nodeID, "ASSISTANTS_NODE_ID") { configuration.nodeID = nodeID }
        configuration.metricsToken = setting(metricsToken, "ASSISTANTS_METRICS_TOKEN").flatMap { $0.isEmpty ? nil : $0 }
        configuration.nodeLeaseTTL = .seconds(try number(nodeLeaseTTL, "ASSISTANTS_NODE_LEASE_TTL", default: 15))
        func limit(_ flag: Int?, _ variable: String) throws -> Int? {
            guard let text = setting(flag.map(String.init), variable), !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw ConfigurationError("Invalid \(variable) '\(text)': expected a number.") }
            return value
        }
        func quota(_ flag: String?, _ variable: String) throws -> Int? {
            guard let text = setting(flag, variable), !text.isEmpty else { return nil }
            return try ServerConfiguration.parseByteSize(text, variable)
        }
        configuration.requestsPerMinute = try limit(requestsPerMinute, "ASSISTANTS_REQUESTS_PER_MINUTE")
        configuration.maxActiveRuns = try limit(maxActiveRuns, "ASSISTANTS_MAX_ACTIVE_RUNS")
        let window = try number(contextWindow, "ASSISTANTS_CONTEXT_WINDOW", default: configuration.contextWindow ?? 0)
        configuration.contextWindow = window == 0 ? nil : window
        configuration.storageQuota = try quota(storageQuota, "ASSISTANTS_STORAGE_QUOTA")
        configuration.uploadsPerDay = try quota(uploadsPerDay, "ASSISTANTS_UPLOADS_PER_DAY")
        return configuration
    }
}

/// `assistants migrate`: copies a single-node deployment into an empty PostgreSQL database.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a SQLite deployment (records, files, vector stores and their chunks) into an empty PostgreSQL database.",
        discussion: """
            Stop the server first: the command refuses while one runs on the data directory. Ids and timestamps \
            stay as they were. If it fails, nothing is committed to the target's records: fix the cause and run it again.
            """)

    @Option(help: "The deployment to copy: its data directory (what serve's --data-dir named), or its database as sqlite:///path/to/assistants.sqlite or a path.")
    var from: String
    @Option(help: "The data directory holding the uploads (files/) and search-index.sqlite, when --from names a database kept elsewhere (default: the database's directory).")
    var dataDir: String?
    @Option(help: "The PostgreSQL database to copy into: postgres://user:password@host:port/database. It must hold no records.")
    var to: String

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        do {
            let source = try MigrationSource(from: from, dataDirectory: dataDir)
            let summary = try await migrate(from: source, to: to, logger: Logger(label: "assistants-migrate")) { line in print(line) }
            print(summary)
            print("Done. Start the nodes with ASSISTANTS_DATABASE_URL set to the target.")
        } catch let error as MigrationError {
            // Not a usage mistake, so no usage text: the reason alone.
            FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }
}

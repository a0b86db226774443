import AssistantsEngine
import Foundation
import ModelProviders

/// Everything the server is configured with. Each value comes from a flag or its `ASSISTANTS_*` variable.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var dataDirectory: URL
    /// `sqlite:///path/to/file.sqlite`, a plain path, nil for `<data dir>/assistants.sqlite`, or
    /// `postgres://user:password@host:port/database` (also `postgresql://`).
    public var databaseURL: String?
    /// The most connections to a PostgreSQL database this process keeps open.
    public var databasePoolSize: Int
    /// How long connecting to a PostgreSQL database may take before start-up fails, saying why.
    public var databaseConnectTimeout: Duration = .seconds(5)
    /// This process's name among the nodes sharing a database: it owns the runs it executes under it.
    public var nodeID: String = defaultNodeID()
    /// How long a node's runs and files stay its own after its last heartbeat (PostgreSQL): a node silent
    /// this long is taken for dead, and its work ends or goes to the other nodes.
    public var nodeLeaseTTL: Duration = .seconds(15)
    public var apiKeys: Set<String>
    /// Requests each key may make per minute, unless its project sets its own limit; nil: no limit.
    public var requestsPerMinute: Int?
    /// The limits of every project that sets none of its own (the default project's too); nil: none.
    public var maxActiveRuns: Int?
    public var storageQuota: Int?
    public var uploadsPerDay: Int?
    /// The models' context window in tokens, which a response's input must fit; nil: the model endpoint
    /// is the only judge (`ASSISTANTS_CONTEXT_WINDOW=0`).
    public var contextWindow: Int? = RunEngine.Configuration.defaultContextWindow
    /// The bearer token `GET /metrics` requires (`ASSISTANTS_METRICS_TOKEN`). Without one, `/metrics` answers
    /// only while the server listens on a loopback address.
    public var metricsToken: String?
    public var upstreamURL: String?
    public var upstreamAPIKey: String?
    /// Model names runs use → names the upstream knows (`gpt-4o=llama3.1:8b`).
    public var modelAliases: [String: String]
    /// How a `tool_choice` naming one function is sent upstream.
    public var upstreamToolChoice: NamedToolChoice = .auto
    /// Logs every upstream request and the raw stream it answers, whatever the log level.
    public var logUpstream = false
    /// How many runs execute at once.
    public var runWorkers: Int
    /// The code interpreter's wall-clock limit per execution, and how long an idle session is kept.
    public var codeTimeout: Duration
    public var codeIdleTimeout: Duration
    /// The memory ceiling of one code interpreter session, and the bytes of files it may hand out over its life.
    public var codeMemory: Int
    public var codeDiskQuota: Int
    /// Runs model code without the sandbox. For development only; off by default.
    public var unsandboxedCode: Bool
    /// The upstream's embedding model; when set, `file_search` ranks by keywords and by meaning (hybrid).
    public var embeddingModel: String?
    /// Origins browsers may call the API from (`ASSISTANTS_CORS_ORIGINS`); none by default.
    public var corsOrigins: CORSOrigins
    /// Deadlines for slow or idle clients and the cap on open connections.
    public var connectionLimits: ConnectionLimits
    /// How long a graceful shutdown waits for runs and requests in flight before it stops them.
    public var shutdownGracePeriod: Duration
    /// How long a background response's stream events are kept after its last one, for clients resuming
    /// its stream (`ASSISTANTS_RESPONSE_EVENTS_RETENTION`, seconds); deleting the response deletes them.
    public var responseEventsRetention: Duration = .seconds(24 * 3600)

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL = URL(fileURLWithPath: ".assistants"),
        databaseURL: String? = nil, databasePoolSize: Int = 16, apiKeys: Set<String> = [], upstreamURL: String? = nil, upstreamAPIKey: String? = nil,
        modelAliases: [String: String] = [:], runWorkers: Int = 64, codeTimeout: Duration = .seconds(60),
        codeIdleTimeout: Duration = .seconds(3600), codeMemory: Int = 1 << 30, codeDiskQuota: Int = 256 << 20,
        unsandboxedCode: Bool = false, embeddingModel: String? = nil,
        corsOrigins: CORSOrigins = .init(), connectionLimits: ConnectionLimits = .init(),
        shutdownGracePeriod: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.databasePoolSize = databasePoolSize
        self.apiKeys = apiKeys
        self.upstreamURL = upstreamURL
        self.upstreamAPIKey = upstreamAPIKey
        self.modelAliases = modelAliases
        self.runWorkers = runWorkers
        self.codeTimeout = codeTimeout
        self.codeIdleTimeout = codeIdleTimeout
        self.codeMemory = codeMemory
        self.codeDiskQuota = codeDiskQuota
        self.unsandboxedCode = unsandboxedCode
        self.embeddingModel = embeddingModel
        self.corsOrigins = corsOrigins
        self.connectionLimits = connectionLimits
        self.shutdownGracePeriod = shutdownGracePeriod
    }

    /// Comma-separated keys, as `ASSISTANTS_API_KEYS` holds them.
    public static func parseKeys(_ list: String?) -> Set<String> {
        Set((list ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    /// `a=b,c=d`, as `ASSISTANTS_MODEL_ALIASES` holds them.
    public static func parseAliases(_ list: String?) throws(ConfigurationError) -> [String: String] {
        var aliases: [String: String] = [:]
        for entry in (list ?? "").split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ConfigurationError("Invalid model alias '\(entry)': expected name=upstream-name.")
            }
            aliases[parts[0]] = parts[1]
        }
        return aliases
    }

    /// `auto`, `object` or `required`, as `ASSISTANTS_UPSTREAM_TOOL_CHOICE` holds it.
    public static func parseToolChoiceForm(_ text: String?) throws(ConfigurationError) -> NamedToolChoice {
        guard let text, !text.isEmpty else { return .auto }
        guard let form = NamedToolChoice(rawValue: text) else {
            throw ConfigurationError("Invalid ASSISTANTS_UPSTREAM_TOOL_CHOICE '\(text)': expected auto, object or required.")
        }
        return form
    }

    /// A size as the `ASSISTANTS_CODE_MEMORY`-style variables hold it: bytes, or a number with K, M or G
    /// (binary units; `1G`, `512MiB`).
    public static func parseByteSize(_ text: String, _ variable: String) throws(ConfigurationError) -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        var digits = trimmed
        var shift = 0
        for (suffixes, unitShift) in [(["KIB", "K"], 10), (["MIB", "M"], 20), (["GIB", "G"], 30)] {
            if let suffix = suffixes.first(where: { trimmed.hasSuffix($0) }) {
                digits = String(trimmed.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
                shift = unitShift
            }
        }
        guard let value = Int(digits), value >= 0, value <= Int.max >> shift else {
            throw ConfigurationError("Invalid \(variable) '\(text)': expected a size such as 1073741824, 512M or 1G.")
        }
        return value << shift
    }

    /// Whether the listening address only ever means this machine: `localhost`, `::1` or an IPv4
    /// literal in 127.0.0.0/8. A name such as `127.example.com` is not one.
    public var isLoopback: Bool {
        let host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return Loopback.isHost(host)
    }

    /// Where file contents live on SQLite (`FileSystemBlobStore`), and uploads are staged on any backend.
    public var filesDirectory: URL {
        dataDirectory.appendingPathComponent("files", isDirectory: true)
    }

    /// The SQLite file that holds the vector stores' chunks, beside the data.
    public var searchIndexPath: String {
        dataDirectory.appendingPathComponent("search-index.sqlite").path
    }

    /// Where the records live.
    public enum Database: Equatable, Sendable {
        /// A SQLite file on this machine.
        case sqlite(path: String)
        /// A PostgreSQL database, by its `postgres://` URL.
        case postgres(url: String)
    }

    /// The database `databaseURL` names.
    public func database() -> Database {
        guard let url = databaseURL, !url.isEmpty else {
            return .sqlite(path: dataDirectory.appendingPathComponent("assistants.sqlite").path)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return .postgres(url: url) }
        for prefix in ["sqlite://", "sqlite:"] where url.hasPrefix(prefix) {
            return .sqlite(path: String(url.dropFirst(prefix.count)))
        }
        return .sqlite(path: url)
    }

    /// Refuses to listen beyond this machine without a key, configured or stored (`storedKeysExist`, which
    /// the store knows): anyone who could reach the server could use it.
    public func checkExposure(storedKeysExist: Bool) throws(ConfigurationError) {
        if apiKeys.isEmpty && !storedKeysExist && !isLoopback {
            throw ConfigurationError(
                "Refusing to listen on \(host) without API keys: anyone who can reach it could use it. "
                    + "Set ASSISTANTS_API_KEYS=key1,key2 (or --api-keys), create keys with `assistants keys create`, or listen on 127.0.0.1.")
        }
    }

    /// Refuses settings that cannot work.
    public func validate() throws(ConfigurationError) {
        guard (0...65535).contains(port) else { throw ConfigurationError("Invalid port \(port).") }
        guard runWorkers > 0 else { throw ConfigurationError("ASSISTANTS_RUN_WORKERS must be at least 1.") }
        if let contextWindow, contextWindow < 1 {
            throw ConfigurationError("ASSISTANTS_CONTEXT_WINDOW must be at least 1 (0 leaves the window to the model endpoint).")
        }
        for (name, value) in [
            ("ASSISTANTS_REQUESTS_PER_MINUTE", requestsPerMinute), ("ASSISTANTS_MAX_ACTIVE_RUNS", maxActiveRuns),
            ("ASSISTANTS_STORAGE_QUOTA", storageQuota), ("ASSISTANTS_UPLOADS_PER_DAY", uploadsPerDay),
        ] {
            if let value, value < 1 { throw ConfigurationError("\(name) must be at least 1 (leave it unset for no limit).") }
        }
        for (name, value) in [
            ("ASSISTANTS_HEADER_TIMEOUT", connectionLimits.headerTimeout),
            ("ASSISTANTS_BODY_IDLE_TIMEOUT", connectionLimits.bodyIdleTimeout),
            ("ASSISTANTS_KEEP_ALIVE_TIMEOUT", connectionLimits.keepAliveTimeout),
        ] where value <= .zero {
            throw ConfigurationError("\(name) must be more than 0 seconds.")
        }
        guard connectionLimits.maxConnections > 0 else { throw ConfigurationError("ASSISTANTS_MAX_CONNECTIONS must be at least 1.") }
        guard codeMemory >= 128 << 20 else {
            throw ConfigurationError("ASSISTANTS_CODE_MEMORY must be at least 128M: Python and its libraries need that much.")
        }
        guard codeDiskQuota >= 1 << 20 else { throw ConfigurationError("ASSISTANTS_CODE_DISK_QUOTA must be at least 1M.") }
        guard databasePoolSize > 0 else { throw ConfigurationError("ASSISTANTS_DATABASE_POOL_SIZE must be at least 1.") }
        guard databaseConnectTimeout > .zero else { throw ConfigurationError("ASSISTANTS_DATABASE_CONNECT_TIMEOUT must be more than 0 seconds.") }
        guard nodeLeaseTTL >= .seconds(2) else { throw ConfigurationError("ASSISTANTS_NODE_LEASE_TTL must be at least 2 seconds.") }
        guard !nodeID.trimmingCharacters(in: .whitespaces).isEmpty else { throw ConfigurationError("ASSISTANTS_NODE_ID must not be empty.") }
        guard responseEventsRetention >= .zero else { throw ConfigurationError("ASSISTANTS_RESPONSE_EVENTS_RETENTION must not be negative.") }
        guard shutdownGracePeriod >= .zero else { throw ConfigurationError("ASSISTANTS_SHUTDOWN_GRACE_PERIOD must not be negative.") }
        if embeddingModel != nil && upstreamURL == nil {
            throw ConfigurationError("ASSISTANTS_EMBEDDING_MODEL needs ASSISTANTS_UPSTREAM_URL: embeddings come from the model endpoint.")
        }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

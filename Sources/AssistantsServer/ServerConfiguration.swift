import Foundation

/// Everything the server is configured with. Each value comes from a flag or its `ASSISTANTS_*` variable.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var dataDirectory: URL
    /// `sqlite:///path/to/file.sqlite`, a plain path, or nil for `<data dir>/assistants.sqlite`.
    public var databaseURL: String?
    public var apiKeys: Set<String>
    public var upstreamURL: String?
    public var upstreamAPIKey: String?
    /// Model names runs use → names the upstream knows (`gpt-4o=llama3.1:8b`).
    public var modelAliases: [String: String]
    /// How many runs execute at once.
    public var runWorkers: Int
    /// The code interpreter's wall-clock limit per execution, and how long an idle session is kept.
    public var codeTimeout: Duration
    public var codeIdleTimeout: Duration
    /// Runs model code without the sandbox. For development only; off by default.
    public var unsandboxedCode: Bool
    /// The upstream's embedding model; when set, `file_search` ranks by keywords and by meaning (hybrid).
    public var embeddingModel: String?
    /// How long a graceful shutdown waits for runs and requests in flight before it stops them.
    public var shutdownGracePeriod: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL = URL(fileURLWithPath: ".assistants"),
        databaseURL: String? = nil, apiKeys: Set<String> = [], upstreamURL: String? = nil, upstreamAPIKey: String? = nil,
        modelAliases: [String: String] = [:], runWorkers: Int = 64, codeTimeout: Duration = .seconds(60),
        codeIdleTimeout: Duration = .seconds(3600), unsandboxedCode: Bool = false, embeddingModel: String? = nil,
        shutdownGracePeriod: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.apiKeys = apiKeys
        self.upstreamURL = upstreamURL
        self.upstreamAPIKey = upstreamAPIKey
        self.modelAliases = modelAliases
        self.runWorkers = runWorkers
        self.codeTimeout = codeTimeout
        self.codeIdleTimeout = codeIdleTimeout
        self.unsandboxedCode = unsandboxedCode
        self.embeddingModel = embeddingModel
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

    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The SQLite file that holds the vector stores' chunks, beside the data.
    public var searchIndexPath: String {
        dataDirectory.appendingPathComponent("search-index.sqlite").path
    }

    /// The SQLite file the store lives in.
    public func databasePath() throws(ConfigurationError) -> String {
        guard let url = databaseURL, !url.isEmpty else {
            return dataDirectory.appendingPathComponent("assistants.sqlite").path
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            throw ConfigurationError("PostgreSQL is not supported by this build yet; use a SQLite file (sqlite:///path/to/db.sqlite).")
        }
        for prefix in ["sqlite://", "sqlite:"] where url.hasPrefix(prefix) {
            return String(url.dropFirst(prefix.count))
        }
        return url
    }

    /// Refuses configurations that would expose an open server.
    public func validate() throws(ConfigurationError) {
        if apiKeys.isEmpty && !isLoopback {
            throw ConfigurationError(
                "Refusing to listen on \(host) without API keys: anyone who can reach it could use it. "
                    + "Set ASSISTANTS_API_KEYS=key1,key2 (or --api-keys), or listen on 127.0.0.1.")
        }
        guard (0...65535).contains(port) else { throw ConfigurationError("Invalid port \(port).") }
        guard runWorkers > 0 else { throw ConfigurationError("ASSISTANTS_RUN_WORKERS must be at least 1.") }
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

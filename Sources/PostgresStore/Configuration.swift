import Foundation
import PostgresNIO

extension PostgresStore {
    /// Where the database is and how to reach it.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        public var tls: TLSMode
        /// The most connections the store keeps open (each node has its own pool).
        public var poolSize: Int
        /// A schema to keep the tables in instead of `public`, created if missing. Letters, digits and `_`.
        public var schema: String?
        /// How long opening one connection may take (TCP, TLS and login) before it counts as failed.
        public var connectTimeout: Duration = .seconds(5)

        public enum TLSMode: String, Sendable {
            /// Plain TCP.
            case disable
            /// TLS when the server offers it, plain TCP otherwise.
            case prefer
            /// TLS or no connection; the certificate and host name are verified (NIOSSL's defaults).
            case require
        }

        public init(
            host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
            tls: TLSMode = .prefer, poolSize: Int = 16, schema: String? = nil
        ) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.tls = tls
            self.poolSize = poolSize
            self.schema = schema
        }

        /// Whether `url` names a PostgreSQL database rather than a SQLite file.
        public static func isPostgresURL(_ url: String) -> Bool {
            url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
        }

        /// Reads `postgres://user:password@host:port/database?sslmode=disable|prefer|require` (also
        /// `postgresql://`). The port defaults to 5432 and the database to the user name. Without
        /// `sslmode`, a loopback host is reached over plain TCP and any other host with `prefer`.
        public init(url: String, poolSize: Int = 16) throws(ConfigurationError) {
            guard Self.isPostgresURL(url), let components = URLComponents(string: url) else {
                throw ConfigurationError("Invalid PostgreSQL URL: expected postgres://user:password@host:port/database.")
            }
            guard let host = components.host, !host.isEmpty else {
                throw ConfigurationError("The PostgreSQL URL names no host: expected postgres://user:password@host:port/database.")
            }
            guard let username = components.user, !username.isEmpty else {
                throw ConfigurationError("The PostgreSQL URL names no user: expected postgres://user:password@host:port/database.")
            }
            let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
            let database = path.removingPercentEncoding ?? path
            var tls: TLSMode = Self.isLoopback(host) ? .disable : .prefer
            for item in components.queryItems ?? [] {
                switch item.name {
                case "sslmode":
                    guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                        throw ConfigurationError("Unsupported sslmode '\(item.value ?? "")' in the PostgreSQL URL: use disable, prefer or require.")
                    }
                    tls = mode
                default:
                    throw ConfigurationError("Unsupported parameter '\(item.name)' in the PostgreSQL URL: only sslmode is understood.")
                }
            }
            guard poolSize > 0 else { throw ConfigurationError("The database pool size must be at least 1.") }
            self.init(
                host: host, port: components.port ?? 5432, username: username, password: components.password,
                database: database.isEmpty ? username : database, tls: tls, poolSize: poolSize)
        }

        static func isLoopback(_ host: String) -> Bool {
            host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }

        var client: PostgresClient.Configuration {
            let tls: PostgresClient.Configuration.TLS = switch self.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
            configuration.options.maximumConnections = poolSize
            configuration.options.connectTimeout = connectTimeout
            if let schema { configuration.options.additionalStartupParameters = [("search_path", schema)] }
            return configuration
        }

        /// One connection outside the pool, to see at start-up whether the database is there.
        var probe: PostgresConnection.Configuration {
            get throws {
                let tls: PostgresConnection.Configuration.TLS = switch self.tls {
                case .disable: .disable
                case .prefer: try .prefer(.init(configuration: .makeClientConfiguration()))
                case .require: try .require(.init(configuration: .makeClientConfiguration()))
                }
                var configuration = PostgresConnection.Configuration(
                    host: host, port: port, username: username, password: password, database: database, tls: tls)
                configuration.options.connectTimeout = TimeAmount(connectTimeout)
                return configuration
            }
        }

        func validate() throws(ConfigurationError) {
            guard poolSize > 0 else { throw ConfigurationError("The database pool size must be at least 1.") }
            guard connectTimeout > .zero else { throw ConfigurationError("The database connect timeout must be more than 0 seconds.") }
            if let schema {
                let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_")
                guard !schema.isEmpty, schema.allSatisfy(allowed.contains), !schema.first!.isNumber else {
                    throw ConfigurationError("Invalid schema name '\(schema)': use lowercase letters, digits and _.")
                }
            }
        }
    }

    /// A configuration the store cannot work with.
    public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }
}

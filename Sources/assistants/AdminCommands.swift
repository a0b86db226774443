import ArgumentParser
import AssistantsServer
import Foundation
import Logging

/// Which deployment an admin command works on: the same settings `serve` reads.
struct DeploymentOptions: ParsableArguments {
    @Option(help: "The deployment's data directory (ASSISTANTS_DATA_DIR, default ./.assistants).") var dataDir: String?
    @Option(help: "The deployment's database: a SQLite path or postgres://user:password@host:port/db (ASSISTANTS_DATABASE_URL).") var databaseURL: String?

    /// Runs `body` on the deployment, with quiet logs; an error of the operator's is printed alone.
    func withAdmin(_ body: (ProjectAdmin) async throws -> Void) async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let environment = ProcessInfo.processInfo.environment
        let configuration = ServerConfiguration(
            dataDirectory: URL(fileURLWithPath: dataDir ?? environment["ASSISTANTS_DATA_DIR"] ?? ".assistants"),
            databaseURL: databaseURL ?? environment["ASSISTANTS_DATABASE_URL"])
        do {
            try await ProjectAdmin.withDeployment(configuration, logger: Logger(label: "assistants-admin"), body)
        } catch let error as ProjectAdminError {
            FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
            throw ExitCode.failure
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// `assistants projects`: the projects objects and keys belong to.
struct Projects: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create and list projects. Each API key belongs to one; what a key makes is invisible to other projects.",
        subcommands: [Create.self, List.self, Update.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a project.")
        @Argument(help: "The project's name, unique in the deployment.") var name: String
        @OptionGroup var deployment: DeploymentOptions

        func run() async throws {
            try await deployment.withAdmin { admin in
                let project = try await admin.createProject(name: name)
                print("Created project \(project.name) (\(project.id)). Make it a key with: assistants keys create --project \(project.name)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the projects, with how many keys each has.")
        @OptionGroup var deployment: DeploymentOptions

        func run() async throws {
            try await deployment.withAdmin { admin in
                let keys = Dictionary(grouping: try await admin.keys(project: nil), by: \.projectID)
                for project in try await admin.projects() {
                    let limit = project.requestsPerMinute.map { "\t\($0) requests/min per key" } ?? ""
                    let runs = project.maxActiveRuns.map { "\tat most \($0) active runs" } ?? ""
                        + (project.storageBytes.map { "\tstorage \($0) bytes" } ?? "")
                        + (project.uploadBytesPerDay.map { "\tuploads \($0) bytes/day" } ?? "")
                    let upstream = project.upstream.map { "\tupstream \($0.url)" } ?? ""
                    print("\(project.id)\t\(project.name)\t\(keys[project.id]?.count ?? 0) keys\(limit)\(runs)\(upstream)")
                }
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a project's limits and model endpoint. Servers apply them within seconds.")
        @Argument(help: "The project's name or id.") var project: String
        @Option(help: "Requests each of its keys may make per minute, or 'none' for the server's default (ASSISTANTS_REQUESTS_PER_MINUTE).")
        var requestsPerMinute: String?
        @Option(help: "How many of its runs (and responses) may be active at once, or 'none' for no limit.")
        var maxActiveRuns: String?
        @Option(help: "Bytes its live files may hold together, e.g. 10G, or 'none' for no limit.")
        var storage: String?
        @Option(help: "Bytes of files it may add per day (UTC), e.g. 1G, or 'none' for no limit.")
        var uploadsPerDay: String?
        @Option(help: "The OpenAI-compatible endpoint its runs call, e.g. http://127.0.0.1:11434/v1, or 'none' for the server's.")
        var upstreamURL: String?
        @Option(help: "The key sent to its endpoint (kept in the deployment's database). With --upstream-url.")
        var upstreamAPIKey: String?
        @Option(help: "Model name aliases for its endpoint, e.g. gpt-4o=llama3.1:8b. With --upstream-url.")
        var modelAliases: String?
        @OptionGroup var deployment: DeploymentOptions

        func validate() throws {
            guard [requestsPerMinute, maxActiveRuns, storage, uploadsPerDay, upstreamURL].contains(where: { $0 != nil }) else {
                throw ValidationError("Give at least one of --requests-per-minute, --max-active-runs, --storage, --uploads-per-day and --upstream-url.")
            }
            guard upstreamURL != nil && upstreamURL != "none" || (upstreamAPIKey == nil && modelAliases == nil) else {
                throw ValidationError("--upstream-api-key and --model-aliases go with --upstream-url.")
            }
        }

        /// A limit given as a number of at least 1, or `none`.
        private func parseLimit(_ text: String?, _ option: String) throws -> Int? {
            guard let text, text != "none" else { return nil }
            guard let value = Int(text), value >= 1 else { throw ValidationError("\(option) takes a number of at least 1, or 'none'.") }
            return value
        }

        /// A size such as `10G`, or `none`.
        private func parseSize(_ text: String?, _ option: String) throws -> Int? {
            guard let text, text != "none" else { return nil }
            do {
                return try ServerConfiguration.parseByteSize(text, option)
            } catch {
                throw ValidationError(error.description)
            }
        }

        func run() async throws {
            let limit = try parseLimit(requestsPerMinute, "--requests-per-minute")
            let runs = try parseLimit(maxActiveRuns, "--max-active-runs")
            let storageBytes = try parseSize(storage, "--storage")
            let uploadBytes = try parseSize(uploadsPerDay, "--uploads-per-day")
            let aliases: [String: String]
            do {
                aliases = try ServerConfiguration.parseAliases(modelAliases)
            } catch {
                throw ValidationError("--model-aliases: \(error.description)")
            }
            try await deployment.withAdmin { admin in
                if requestsPerMinute != nil {
                    let project = try await admin.setRequestsPerMinute(limit, project: project)
                    print("Project \(project.name): \(limit.map { "\($0) requests per minute per key" } ?? "the server's default limit").")
                }
                if maxActiveRuns != nil {
                    let project = try await admin.setMaxActiveRuns(runs, project: project)
                    print("Project \(project.name): \(runs.map { "at most \($0) active runs" } ?? "no limit on active runs").")
                }
                if storage != nil {
                    let project = try await admin.setStorageQuota(storageBytes, project: project)
                    print("Project \(project.name): \(storageBytes.map { "its files may hold \($0) bytes" } ?? "no storage quota").")
                }
                if uploadsPerDay != nil {
                    let project = try await admin.setUploadQuota(uploadBytes, project: project)
                    print("Project \(project.name): \(uploadBytes.map { "it may add \($0) bytes of files a day" } ?? "no upload quota").")
                }
                if let upstreamURL {
                    let url = upstreamURL == "none" ? nil : upstreamURL
                    let project = try await admin.setUpstream(url: url, apiKey: upstreamAPIKey, modelAliases: aliases, project: project)
                    print("Project \(project.name): its runs call \(url ?? "the server's model endpoint").")
                }
            }
        }
    }
}

/// `assistants keys`: API keys of projects. Servers on the deployment take a new key, and stop taking a
/// revoked one, within seconds.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke projects' API keys. Keys are stored hashed: a key is shown once, when it is created.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key of a project and print it, once.")
        @Option(help: "The project's name or id (default: the default project, which ASSISTANTS_API_KEYS' keys belong to).") var project = "default"
        @Option(help: "A name to recognise the key by.") var name: String?
        @OptionGroup var deployment: DeploymentOptions

        func run() async throws {
            try await deployment.withAdmin { admin in
                let (key, value) = try await admin.createKey(project: project, name: name)
                FileHandle.standardError.write(Data("Created key \(key.id) of project \(key.projectID). It is not shown again:\n".utf8))
                print(value)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the live keys, redacted.")
        @Option(help: "Only this project's (name or id).") var project: String?
        @OptionGroup var deployment: DeploymentOptions

        func run() async throws {
            try await deployment.withAdmin { admin in
                for key in try await admin.keys(project: project) {
                    print("\(key.id)\t\(key.projectID)\t\(key.redactedValue)\t\(key.name)")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key: requests with it are refused from then on.")
        @Argument(help: "The key's id (key_…), as `assistants keys list` shows it.") var id: String
        @OptionGroup var deployment: DeploymentOptions

        func run() async throws {
            try await deployment.withAdmin { admin in
                try await admin.revokeKey(id: id)
                print("Revoked \(id).")
            }
        }
    }
}

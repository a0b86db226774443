import AssistantsAPI
import AssistantsStore
import Foundation
import Logging

/// The operator's work on a deployment's projects and keys (`assistants projects …`, `assistants keys …`),
/// on its database, while servers run on it: they see a new key within `APIKeys`' memory time, and stop
/// taking a revoked one as soon.
public struct ProjectAdmin: Sendable {
    private let store: any ProjectRecords
    private let clock: any WallClock

    public init(store: any ProjectRecords, clock: any WallClock = .system) {
        self.store = store
        self.clock = clock
    }

    /// Opens the configured deployment's store for `body`, and closes it after.
    public static func withDeployment<T: Sendable>(
        _ configuration: ServerConfiguration, logger: Logger, _ body: (ProjectAdmin) async throws -> T
    ) async throws -> T {
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        let opened = try await OpenedStore(configuration, logger: logger)
        do {
            let result = try await body(ProjectAdmin(store: opened.store))
            await opened.close()
            return result
        } catch {
            await opened.close()
            throw error
        }
    }

    /// Creates a project. Throws `ProjectAdminError` for an empty name or one taken.
    public func createProject(name: String) async throws -> Project {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw ProjectAdminError("A project needs a name.") }
        let project = Project(id: ObjectKind.project.newID(), name: name, createdAt: clock.now())
        do {
            try await store.createProject(project)
        } catch StoreError.nameTaken {
            throw ProjectAdminError("A project named '\(name)' exists already.")
        }
        return project
    }

    public func projects() async throws -> [Project] {
        try await store.projects()
    }

    /// Sets the requests per minute each of the project's keys may make; nil: the server's default.
    public func setRequestsPerMinute(_ limit: Int?, project idOrName: String) async throws -> Project {
        try await update(idOrName, refusingDefault: "its keys have the server's limit: set ASSISTANTS_REQUESTS_PER_MINUTE instead") { $0.requestsPerMinute = limit }
    }

    /// Sets how many of the project's runs may be active at once; nil: no limit.
    public func setMaxActiveRuns(_ limit: Int?, project idOrName: String) async throws -> Project {
        try await update(idOrName, refusingDefault: "its limit is the server's: set ASSISTANTS_MAX_ACTIVE_RUNS instead") { $0.maxActiveRuns = limit }
    }

    /// Sets the bytes the project's live files may hold together; nil: no limit.
    public func setStorageQuota(_ bytes: Int?, project idOrName: String) async throws -> Project {
        try await update(idOrName, refusingDefault: "its quota is the server's: set ASSISTANTS_STORAGE_QUOTA instead") {
            $0.storageBytes = bytes
        }
    }

    /// Sets the bytes of files the project may add per day (UTC); nil: no limit.
    public func setUploadQuota(_ bytes: Int?, project idOrName: String) async throws -> Project {
        try await update(idOrName, refusingDefault: "its quota is the server's: set ASSISTANTS_UPLOADS_PER_DAY instead") {
            $0.uploadBytesPerDay = bytes
        }
    }

    /// Sets the model endpoint the project's runs call, with its key and model aliases; a nil `url`: the
    /// server's. Throws `ProjectAdminError` for a URL that is not `http(s)://`.
    public func setUpstream(
        url: String?, apiKey: String? = nil, modelAliases: [String: String] = [:], project idOrName: String
    ) async throws -> Project {
        let upstream = url.map { Project.Upstream(url: $0, apiKey: apiKey, modelAliases: modelAliases) }
        if let url {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
                throw ProjectAdminError("The upstream URL must be http:// or https://, e.g. http://127.0.0.1:11434/v1; '\(url)' is not.")
            }
        }
        return try await update(idOrName, refusingDefault: "its runs call the server's endpoint: set ASSISTANTS_UPSTREAM_URL instead") { $0.upstream = upstream }
    }

    /// The default project is no stored project: it takes the server's settings (`refusingDefault` says
    /// which).
    private func update(
        _ idOrName: String, refusingDefault reason: String, _ change: @escaping @Sendable (inout Project) -> Void
    ) async throws -> Project {
        let project = try await self.project(idOrName)
        guard project.id != ProjectScope.defaultProjectID else { throw ProjectAdminError("The default project cannot be changed: \(reason).") }
        guard let updated = try await store.updateProject(id: project.id, change) else {
            throw ProjectAdminError("No project is named '\(idOrName)' or has that id. `assistants projects list` shows them.")
        }
        return updated
    }

    /// Makes a key of the project named (by id or name): its record, and its value, which is shown this
    /// once and never stored.
    public func createKey(project: String, name: String?) async throws -> (key: APIKeyRecord, value: String) {
        let owner = try await self.project(project)
        let value = APIKeys.newKey()
        let record = APIKeyRecord(
            id: ObjectKind.apiKey.newID(), projectID: owner.id, name: name ?? "", redactedValue: APIKeys.redacted(value),
            createdAt: clock.now())
        try await store.createAPIKey(record, hash: APIKeys.hash(value))
        return (record, value)
    }

    /// The live keys, of one project (by id or name) when given.
    public func keys(project: String?) async throws -> [APIKeyRecord] {
        guard let project else { return try await store.apiKeys(projectID: nil) }
        return try await store.apiKeys(projectID: try await self.project(project).id)
    }

    public func revokeKey(id: String) async throws {
        guard try await store.revokeAPIKey(id: id) else { throw ProjectAdminError("No live key has the id '\(id)'.") }
    }

    private func project(_ idOrName: String) async throws -> Project {
        guard let project = try await store.project(idOrName: idOrName) else {
            throw ProjectAdminError("No project is named '\(idOrName)' or has that id. `assistants projects list` shows them.")
        }
        return project
    }
}

/// What an admin command reports to its operator instead of doing what was asked.
public struct ProjectAdminError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

import AssistantsAPI
import Foundation

/// The project a task acts for. Every object (assistant, thread, file, vector store, response, container,
/// and what lives in them) belongs to one project, and a task scoped to a project finds only that
/// project's objects: the stores add the project to every read of those tables and stamp it on every
/// object they create. Reads of another project's object find nothing, so every route answers 404 for it
/// as for an id that names nothing, and lists never mix projects.
///
/// Task-local, like `LogContext`, so that it follows a request into the engine, the tools and the tasks
/// they start: the API key middleware sets it for each request, and a run's execution sets it from the run.
/// Nil for the server's own work (sweeps, recovery, ingestion), which sees every project.
public enum ProjectScope {
    @TaskLocal public static var current: String?

    /// The project of `ASSISTANTS_API_KEYS`, of a server without keys, and of every object made before
    /// projects existed.
    public static let defaultProjectID = "proj_default"

    /// The project objects made now are stamped with.
    public static var stamp: String { current ?? defaultProjectID }
}

/// A project, as the admin commands show it (OpenAI's `organization.project`).
public struct Project: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var createdAt: Int
    /// Requests each of the project's keys may make per minute; nil: the server's default
    /// (`ASSISTANTS_REQUESTS_PER_MINUTE`), if any.
    public var requestsPerMinute: Int?
    /// The model endpoint the project's runs call; nil: the server's (`ASSISTANTS_UPSTREAM_URL`).
    public var upstream: Upstream?
    /// How many of the project's runs (and responses) may be active at once; nil: no limit.
    public var maxActiveRuns: Int?
    /// Bytes the project's live files may hold together; nil: no limit.
    public var storageBytes: Int?
    /// Bytes of files the project may add per day (UTC), whatever becomes of them; nil: no limit.
    public var uploadBytesPerDay: Int?

    /// A project's own model endpoint. Its key is kept in the database, which must be guarded as the
    /// server's own `ASSISTANTS_UPSTREAM_API_KEY` is.
    public struct Upstream: Codable, Sendable, Equatable {
        public var url: String
        public var apiKey: String?
        /// Model names as the project's runs give them → names the endpoint knows.
        public var modelAliases: [String: String]

        public init(url: String, apiKey: String? = nil, modelAliases: [String: String] = [:]) {
            self.url = url
            self.apiKey = apiKey
            self.modelAliases = modelAliases
        }

        enum CodingKeys: String, CodingKey { case url, apiKey = "api_key", modelAliases = "model_aliases" }
    }

    public init(id: String, name: String, createdAt: Int, requestsPerMinute: Int? = nil, upstream: Upstream? = nil) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.requestsPerMinute = requestsPerMinute
        self.upstream = upstream
    }

    enum CodingKeys: String, CodingKey {
        case id, name, createdAt = "created_at", requestsPerMinute = "requests_per_minute", upstream
        case maxActiveRuns = "max_active_runs", storageBytes = "storage_bytes", uploadBytesPerDay = "upload_bytes_per_day"
    }
}

/// An API key of a project. The key itself is never stored: only its SHA-256 (`hash`, which the store
/// keeps beside the record) and a redacted form to recognise it by.
public struct APIKeyRecord: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var projectID: String
    public var name: String
    /// The key's first characters and last four, e.g. `sk-proj-AbC…wxyz`.
    public var redactedValue: String
    public var createdAt: Int

    public init(id: String, projectID: String, name: String, redactedValue: String, createdAt: Int) {
        self.id = id
        self.projectID = projectID
        self.name = name
        self.redactedValue = redactedValue
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, projectID = "project_id", redactedValue = "redacted_value", createdAt = "created_at"
    }
}

/// The projects of a deployment and their API keys. These calls ignore `ProjectScope`: they are the
/// operator's (the admin commands) and the authenticator's, never a client's. Every call is atomic.
public protocol ProjectRecords: Sendable {
    /// Creates the project. Throws `StoreError.nameTaken` when a project has that name already.
    func createProject(_ project: Project) async throws

    /// Every project, oldest first; the default project is always among them.
    func projects() async throws -> [Project]

    /// The project with that id, or else with that name; nil when there is none.
    func project(idOrName: String) async throws -> Project?

    /// Applies `change` to the stored project under its row lock, so concurrent changes queue up; nil when
    /// there is no such project. The default project is no stored project: it cannot be changed.
    func updateProject(id: String, _ change: @escaping @Sendable (inout Project) throws -> Void) async throws -> Project?

    /// Stores a key of its project under the SHA-256 of its value (lowercase hex). Throws
    /// `StoreError.notFound(.project)` when the project does not exist.
    func createAPIKey(_ key: APIKeyRecord, hash: String) async throws

    /// The live (unrevoked) key whose value hashes to `hash`; nil when there is none.
    func apiKey(hash: String) async throws -> APIKeyRecord?

    /// The live keys, of one project when `projectID` is given, oldest first.
    func apiKeys(projectID: String?) async throws -> [APIKeyRecord]

    /// Revokes the key: it authenticates nothing from then on. False when there is no live key `id`.
    func revokeAPIKey(id: String) async throws -> Bool

    /// Sets the limits of every project that does not set its own (the server's configuration), for the
    /// checks `createRun`, `createThreadAndRun`, `createResponse` and `createFile` make from then on.
    func setDefaultLimits(_ limits: ProjectLimits)

    /// The project owning the live object `id` of `kind`, whatever the task's scope; nil when there is no
    /// such object. For `.thread` and `.conversation`, also nil for a response's private thread, which no
    /// thread route may reach. `kind` is a kind with its own routes: assistant, thread, conversation, file,
    /// vector store, response or container.
    func project(of kind: ObjectKind, id: String) async throws -> String?
}

extension Project {
    /// The project every deployment has: it holds what `ASSISTANTS_API_KEYS` and a server without keys
    /// make, and everything made before projects existed. It is no row of the store's.
    public static let defaultProject = Project(id: ProjectScope.defaultProjectID, name: "default", createdAt: 0)
}

/// The limits of a project's runs and files; nil: none.
public struct ProjectLimits: Sendable, Equatable {
    public var maxActiveRuns: Int?
    public var storageBytes: Int?
    public var uploadBytesPerDay: Int?

    public init(maxActiveRuns: Int? = nil, storageBytes: Int? = nil, uploadBytesPerDay: Int? = nil) {
        self.maxActiveRuns = maxActiveRuns
        self.storageBytes = storageBytes
        self.uploadBytesPerDay = uploadBytesPerDay
    }

    /// The project's own limits where it sets them, these elsewhere.
    package func overridden(by project: Project?) -> ProjectLimits {
        ProjectLimits(
            maxActiveRuns: project?.maxActiveRuns ?? maxActiveRuns, storageBytes: project?.storageBytes ?? storageBytes,
            uploadBytesPerDay: project?.uploadBytesPerDay ?? uploadBytesPerDay)
    }
}

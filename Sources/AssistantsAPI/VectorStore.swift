/// `object: "vector_store"`: a collection of processed files that `file_search` searches.
///
/// `file_counts`, `usage_bytes` and `status` are derived from the store's files whenever the store is
/// read, so they are exact at every moment (the SDKs' `*_and_poll` helpers wait on them).
public struct VectorStore: Codable, Sendable, Equatable {
    public enum Status: String, WireEnum { case expired, inProgress = "in_progress", completed }

    public var id: String
    public var createdAt: Int
    public var name: String?
    public var usageBytes: Int
    public var fileCounts: FileCounts
    public var status: Status
    public var expiresAfter: VectorStoreExpiration?
    public var expiresAt: Int?
    public var lastActiveAt: Int?
    public var metadata: Metadata

    public init(
        id: String, createdAt: Int, name: String? = nil, usageBytes: Int = 0, fileCounts: FileCounts = .init(),
        status: Status = .completed, expiresAfter: VectorStoreExpiration? = nil, lastActiveAt: Int? = nil,
        metadata: Metadata = [:]
    ) {
        self.id = id
        self.createdAt = createdAt
        self.name = name
        self.usageBytes = usageBytes
        self.fileCounts = fileCounts
        self.status = status
        self.expiresAfter = expiresAfter
        self.lastActiveAt = lastActiveAt
        self.metadata = metadata
        self.expiresAt = expiresAfter.map { (lastActiveAt ?? createdAt) + $0.days * 86_400 }
    }

    /// Marks the store used at `now`: an expiry policy counts from the last activity.
    public mutating func touch(at now: Int) {
        lastActiveAt = now
        expiresAt = expiresAfter.map { now + $0.days * 86_400 }
    }

    enum CodingKeys: String, CodingKey {
        case id, object, createdAt = "created_at", name, usageBytes = "usage_bytes", fileCounts = "file_counts", status
        case expiresAfter = "expires_after", expiresAt = "expires_at", lastActiveAt = "last_active_at", metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        createdAt = try container.decode(Int.self, forKey: .createdAt)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        usageBytes = try container.decode(Int.self, forKey: .usageBytes)
        fileCounts = try container.decode(FileCounts.self, forKey: .fileCounts)
        status = try container.decode(Status.self, forKey: .status)
        expiresAfter = try container.decodeIfPresent(VectorStoreExpiration.self, forKey: .expiresAfter)
        expiresAt = try container.decodeIfPresent(Int.self, forKey: .expiresAt)
        lastActiveAt = try container.decodeIfPresent(Int.self, forKey: .lastActiveAt)
        metadata = try container.decodeIfPresent(Metadata.self, forKey: .metadata) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("vector_store", forKey: .object)
        try container.encode(createdAt, forKey: .createdAt)
        // A string on the wire, never null: a store created without a name has an empty one.
        try container.encode(name ?? "", forKey: .name)
        try container.encode(usageBytes, forKey: .usageBytes)
        try container.encode(fileCounts, forKey: .fileCounts)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(expiresAfter, forKey: .expiresAfter)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(lastActiveAt, forKey: .lastActiveAt)
        try container.encode(metadata, forKey: .metadata)
    }
}

/// How many of a store's (or a batch's) files are in each state.
public struct FileCounts: Codable, Sendable, Equatable {
    public var inProgress: Int
    public var completed: Int
    public var failed: Int
    public var cancelled: Int
    public var total: Int

    public init(inProgress: Int = 0, completed: Int = 0, failed: Int = 0, cancelled: Int = 0) {
        self.inProgress = inProgress
        self.completed = completed
        self.failed = failed
        self.cancelled = cancelled
        total = inProgress + completed + failed + cancelled
    }

    /// From how many files are in each status.
    public init(_ counts: [VectorStoreFile.Status: Int]) {
        self.init(
            inProgress: counts[.inProgress] ?? 0, completed: counts[.completed] ?? 0, failed: counts[.failed] ?? 0,
            cancelled: counts[.cancelled] ?? 0)
    }

    enum CodingKeys: String, CodingKey {
        case inProgress = "in_progress", completed, failed, cancelled, total
    }
}

/// `{anchor: "last_active_at", days}`: a store expires `days` after it was last used.
public struct VectorStoreExpiration: Codable, Sendable, Equatable {
    public var days: Int

    public init(days: Int) {
        self.days = days
    }

    /// Stores that `file_search` attachments create for a thread expire a week after their last use.
    public static let threadDefault = VectorStoreExpiration(days: 7)

    enum CodingKeys: String, CodingKey { case anchor, days }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let anchor = try container.decode(String.self, forKey: .anchor)
        guard anchor == "last_active_at" else {
            throw APIError.invalidValue(anchor, param: container.param(.anchor), supported: ["last_active_at"])
        }
        days = try container.decode(Int.self, forKey: .days)
        try Check.integer(days, in: VectorStoreLimits.expiryDays, param: container.param(.days))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("last_active_at", forKey: .anchor)
        try container.encode(days, forKey: .days)
    }
}

/// The contract's limits for vector stores and their files.
public enum VectorStoreLimits {
    public static let createFileIDs = 500
    public static let batchFiles = 2000
    public static let expiryDays = 1...365
    public static let searchResults = 1...50
    /// `POST /vector_stores/{id}/search` returns 10 results unless asked; the `file_search` tool 20.
    public static let defaultSearchResults = 10
    public static let defaultToolResults = 20
}

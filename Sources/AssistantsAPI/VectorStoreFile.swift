/// `object: "vector_store.file"`: a file attached to a vector store. Its id is the file's id.
public struct VectorStoreFile: Codable, Sendable, Equatable {
    public enum Status: String, WireEnum { case inProgress = "in_progress", completed, cancelled, failed }

    public struct LastError: Codable, Sendable, Equatable {
        public enum Code: String, WireEnum { case serverError = "server_error", unsupportedFile = "unsupported_file", invalidFile = "invalid_file" }
        public var code: Code
        public var message: String

        public init(code: Code, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var id: String
    public var usageBytes: Int
    public var createdAt: Int
    public var vectorStoreID: String
    public var status: Status
    public var lastError: LastError?
    /// Always the resolved sizes: `auto` is reported as the static 800/400 it stands for.
    public var chunkingStrategy: ChunkingStrategy
    public var attributes: FileAttributes?

    public init(
        id: String, usageBytes: Int = 0, createdAt: Int, vectorStoreID: String, status: Status = .inProgress,
        lastError: LastError? = nil, chunkingStrategy: ChunkingStrategy = .auto, attributes: FileAttributes? = nil
    ) {
        self.id = id
        self.usageBytes = usageBytes
        self.createdAt = createdAt
        self.vectorStoreID = vectorStoreID
        self.status = status
        self.lastError = lastError
        self.chunkingStrategy = chunkingStrategy.resolved
        self.attributes = attributes
    }

    enum CodingKeys: String, CodingKey {
        case id, object, usageBytes = "usage_bytes", createdAt = "created_at", vectorStoreID = "vector_store_id", status
        case lastError = "last_error", chunkingStrategy = "chunking_strategy", attributes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        usageBytes = try container.decode(Int.self, forKey: .usageBytes)
        createdAt = try container.decode(Int.self, forKey: .createdAt)
        vectorStoreID = try container.decode(String.self, forKey: .vectorStoreID)
        status = try container.decode(Status.self, forKey: .status)
        lastError = try container.decodeIfPresent(LastError.self, forKey: .lastError)
        chunkingStrategy = try container.decodeIfPresent(ChunkingStrategy.self, forKey: .chunkingStrategy)?.resolved ?? .auto.resolved
        attributes = try container.decodeIfPresent(FileAttributes.self, forKey: .attributes)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("vector_store.file", forKey: .object)
        try container.encode(usageBytes, forKey: .usageBytes)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(vectorStoreID, forKey: .vectorStoreID)
        try container.encode(status, forKey: .status)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(chunkingStrategy, forKey: .chunkingStrategy)
        try container.encode(attributes, forKey: .attributes)
    }
}

extension ChunkingStrategy {
    /// `auto` is 800-token chunks overlapping by 400.
    public var resolved: ChunkingStrategy {
        switch self {
        case .auto: .static(maxChunkSizeTokens: 800, chunkOverlapTokens: 400)
        case .static: self
        }
    }

    public var sizes: (maxTokens: Int, overlapTokens: Int) {
        switch resolved {
        case .static(let size, let overlap): (size, overlap)
        case .auto: (800, 400)
        }
    }
}

/// `object: "vector_store.files_batch"`: files added to a store together. Its counts are those of the
/// files the batch added, derived when it is read.
public struct VectorStoreFileBatch: Codable, Sendable, Equatable {
    public enum Status: String, WireEnum { case inProgress = "in_progress", completed, cancelled, failed }

    public var id: String
    public var createdAt: Int
    public var vectorStoreID: String
    public var status: Status
    public var fileCounts: FileCounts

    public init(id: String, createdAt: Int, vectorStoreID: String, status: Status = .inProgress, fileCounts: FileCounts = .init()) {
        self.id = id
        self.createdAt = createdAt
        self.vectorStoreID = vectorStoreID
        self.status = status
        self.fileCounts = fileCounts
    }

    enum CodingKeys: String, CodingKey {
        case id, object, createdAt = "created_at", vectorStoreID = "vector_store_id", status, fileCounts = "file_counts"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        createdAt = try container.decode(Int.self, forKey: .createdAt)
        vectorStoreID = try container.decode(String.self, forKey: .vectorStoreID)
        status = try container.decode(Status.self, forKey: .status)
        fileCounts = try container.decode(FileCounts.self, forKey: .fileCounts)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("vector_store.files_batch", forKey: .object)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(vectorStoreID, forKey: .vectorStoreID)
        try container.encode(status, forKey: .status)
        try container.encode(fileCounts, forKey: .fileCounts)
    }
}

/// A vector store file's `attributes`: at most 16 keys (≤64 characters) whose values are strings
/// (≤512 characters), numbers or booleans. Search filters compare against them.
public typealias FileAttributes = [String: AttributeValue]

public enum AttributeValue: Codable, Sendable, Equatable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Bool first: JSON `true` must not become the number 1.
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            try Check.length(value, max: 512, param: paramPath(decoder.codingPath))
            self = .string(value)
        } else {
            throw APIError.invalidType(param: paramPath(decoder.codingPath), expected: "a string, number or boolean", got: "a value of another type")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int(value)) } else { try container.encode(value) }
        case .bool(let value): try container.encode(value)
        }
    }
}

extension KeyedDecodingContainer {
    /// `attributes`, checked against their limits (values check their own length as they decode).
    public func decodeAttributes(_ key: Key) throws -> FileAttributes?? {
        let value = try decodePatch(FileAttributes.self, forKey: key)
        guard let attributes = value ?? nil else { return value }
        try Check.keys(attributes.keys, param: param(key))
        return value
    }
}

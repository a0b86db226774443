/// `POST /vector_stores`.
public struct CreateVectorStoreRequest: Codable, Sendable, Equatable {
    public var fileIDs: [String]
    public var name: String?
    public var description: String?
    public var expiresAfter: VectorStoreExpiration?
    public var chunkingStrategy: ChunkingStrategy?
    public var metadata: Metadata?

    public init(
        fileIDs: [String] = [], name: String? = nil, description: String? = nil, expiresAfter: VectorStoreExpiration? = nil,
        chunkingStrategy: ChunkingStrategy? = nil, metadata: Metadata? = nil
    ) {
        self.fileIDs = fileIDs
        self.name = name
        self.description = description
        self.expiresAfter = expiresAfter
        self.chunkingStrategy = chunkingStrategy
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case fileIDs = "file_ids", name, description, expiresAfter = "expires_after", chunkingStrategy = "chunking_strategy", metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fileIDs = try container.decodeArray([String].self, forKey: .fileIDs, maxCount: VectorStoreLimits.createFileIDs) ?? []
        name = try container.decodeNonNull(String.self, forKey: .name)
        description = try container.decodeString(.description, maxLength: 512, nullable: false)
        expiresAfter = try container.decodeNonNull(VectorStoreExpiration.self, forKey: .expiresAfter)
        chunkingStrategy = try container.decodeNonNull(ChunkingStrategy.self, forKey: .chunkingStrategy)
        metadata = try container.decodeMetadata(.metadata) ?? nil
    }
}

/// `POST /vector_stores/{id}`: absent fields stay as they are; `expires_after: null` removes the policy.
public struct UpdateVectorStoreRequest: Codable, Sendable, Equatable {
    public var name: String??
    public var expiresAfter: VectorStoreExpiration??
    public var metadata: Metadata??

    public init(name: String?? = nil, expiresAfter: VectorStoreExpiration?? = nil, metadata: Metadata?? = nil) {
        self.name = name
        self.expiresAfter = expiresAfter
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey { case name, expiresAfter = "expires_after", metadata }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodePatch(String.self, forKey: .name)
        expiresAfter = try container.decodePatch(VectorStoreExpiration.self, forKey: .expiresAfter)
        metadata = try container.decodeMetadata(.metadata)
    }

    public func apply(to store: inout VectorStore, now: Int) {
        if let name { store.name = name }
        if let metadata { store.metadata = metadata ?? [:] }
        if let expiresAfter {
            store.expiresAfter = expiresAfter
            store.touch(at: store.lastActiveAt ?? now)
        }
    }
}

/// `POST /vector_stores/{id}/files`, and one entry of a batch's `files`.
public struct CreateVectorStoreFileRequest: Codable, Sendable, Equatable {
    public var fileID: String
    public var chunkingStrategy: ChunkingStrategy?
    public var attributes: FileAttributes?

    public init(fileID: String, chunkingStrategy: ChunkingStrategy? = nil, attributes: FileAttributes? = nil) {
        self.fileID = fileID
        self.chunkingStrategy = chunkingStrategy
        self.attributes = attributes
    }

    enum CodingKeys: String, CodingKey { case fileID = "file_id", chunkingStrategy = "chunking_strategy", attributes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fileID = try container.decode(String.self, forKey: .fileID)
        chunkingStrategy = try container.decodeNonNull(ChunkingStrategy.self, forKey: .chunkingStrategy)
        attributes = try container.decodeAttributes(.attributes) ?? nil
    }
}

/// `POST /vector_stores/{id}/file_batches`: `file_ids` (sharing `chunking_strategy` and `attributes`)
/// or `files` (each with its own), never both; 1 to 2,000 files.
public struct CreateFileBatchRequest: Codable, Sendable, Equatable {
    public var files: [CreateVectorStoreFileRequest]
    /// Whether the files came as `file_ids` rather than `files`: errors name the parameter as sent.
    public var sentAsFileIDs: Bool

    public init(files: [CreateVectorStoreFileRequest]) {
        self.files = files
        sentAsFileIDs = false
    }

    /// The parameter naming the `index`th file.
    public func param(forFileAt index: Int) -> String {
        sentAsFileIDs ? "file_ids[\(index)]" : "files[\(index)].file_id"
    }

    enum CodingKeys: String, CodingKey { case fileIDs = "file_ids", files, chunkingStrategy = "chunking_strategy", attributes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let ids = try container.decodeArray([String].self, forKey: .fileIDs, maxCount: VectorStoreLimits.batchFiles)
        let entries = try container.decodeArray([CreateVectorStoreFileRequest].self, forKey: .files, maxCount: VectorStoreLimits.batchFiles)
        let chunking = try container.decodeNonNull(ChunkingStrategy.self, forKey: .chunkingStrategy)
        let attributes = try container.decodeAttributes(.attributes) ?? nil
        switch (ids, entries) {
        case (let ids?, nil):
            try Check.notEmpty(ids.count, param: "file_ids")
            files = ids.map { CreateVectorStoreFileRequest(fileID: $0, chunkingStrategy: chunking, attributes: attributes) }
            sentAsFileIDs = true
        case (nil, let entries?):
            try Check.notEmpty(entries.count, param: "files")
            files = entries
            sentAsFileIDs = false
        case (nil, nil):
            throw APIError.missingParameter("file_ids")
        case (.some, .some):
            throw APIError.invalidRequest(
                "Invalid 'files': 'file_ids' and 'files' are mutually exclusive; provide one of them.", param: "files", code: "invalid_value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(files, forKey: .files)
    }
}

/// `POST /vector_stores/{id}/files/{file_id}`: replaces the file's attributes.
public struct UpdateVectorStoreFileRequest: Codable, Sendable, Equatable {
    public var attributes: FileAttributes?

    public init(attributes: FileAttributes?) {
        self.attributes = attributes
    }

    enum CodingKeys: String, CodingKey { case attributes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let attributes = try container.decodeAttributes(.attributes) else { throw APIError.missingParameter("attributes") }
        self.attributes = attributes
    }

    /// `attributes` is required: nil is sent as null, which clears them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(attributes, forKey: .attributes)
    }
}

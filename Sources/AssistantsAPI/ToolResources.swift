/// Files and vector stores made available to an assistant's or a thread's tools.
public struct ToolResources: Codable, Sendable, Equatable {
    public var codeInterpreter: CodeInterpreter?
    public var fileSearch: FileSearch?

    public init(codeInterpreter: CodeInterpreter? = nil, fileSearch: FileSearch? = nil) {
        self.codeInterpreter = codeInterpreter
        self.fileSearch = fileSearch
    }

    public struct CodeInterpreter: Codable, Sendable, Equatable {
        public var fileIDs: [String]

        public init(fileIDs: [String] = []) {
            self.fileIDs = fileIDs
        }

        enum CodingKeys: String, CodingKey { case fileIDs = "file_ids" }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            fileIDs = try container.decodeArray([String].self, forKey: .fileIDs, maxCount: 20) ?? []
        }
    }

    public struct FileSearch: Codable, Sendable, Equatable {
        public var vectorStoreIDs: [String]

        public init(vectorStoreIDs: [String] = []) {
            self.vectorStoreIDs = vectorStoreIDs
        }

        enum CodingKeys: String, CodingKey { case vectorStoreIDs = "vector_store_ids" }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            vectorStoreIDs = try container.decodeArray([String].self, forKey: .vectorStoreIDs, maxCount: 1) ?? []
        }
    }

    enum CodingKeys: String, CodingKey {
        case codeInterpreter = "code_interpreter", fileSearch = "file_search"
    }

    public var allFileIDs: [String] { codeInterpreter?.fileIDs ?? [] }
}

/// `tool_resources` as create requests take it: besides existing vector stores, `file_search` may ask
/// for a new store to be made from files (the `vector_stores` helper).
public struct ToolResourcesRequest: Codable, Sendable, Equatable {
    public var resources: ToolResources
    public var newVectorStores: [VectorStoreHelper]

    public init(resources: ToolResources = .init(), newVectorStores: [VectorStoreHelper] = []) {
        self.resources = resources
        self.newVectorStores = newVectorStores
    }

    enum CodingKeys: String, CodingKey {
        case codeInterpreter = "code_interpreter", fileSearch = "file_search"
    }

    enum FileSearchKeys: String, CodingKey {
        case vectorStoreIDs = "vector_store_ids", vectorStores = "vector_stores"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        resources = ToolResources(
            codeInterpreter: try container.decodeIfPresent(ToolResources.CodeInterpreter.self, forKey: .codeInterpreter))
        newVectorStores = []
        guard container.contains(.fileSearch), try !container.decodeNil(forKey: .fileSearch) else { return }
        let fileSearch = try container.nestedContainer(keyedBy: FileSearchKeys.self, forKey: .fileSearch)
        let ids = try fileSearch.decodeArray([String].self, forKey: .vectorStoreIDs, maxCount: 1)
        let helpers = try fileSearch.decodeArray([VectorStoreHelper].self, forKey: .vectorStores, maxCount: 1)
        if ids != nil && helpers != nil {
            throw APIError.invalidRequest(
                "Invalid '\(paramPath(fileSearch.codingPath))': provide either 'vector_store_ids' or 'vector_stores', not both.",
                param: paramPath(fileSearch.codingPath), code: "invalid_value")
        }
        resources.fileSearch = ToolResources.FileSearch(vectorStoreIDs: ids ?? [])
        newVectorStores = helpers ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(resources.codeInterpreter, forKey: .codeInterpreter)
        if !newVectorStores.isEmpty {
            var fileSearch = container.nestedContainer(keyedBy: FileSearchKeys.self, forKey: .fileSearch)
            try fileSearch.encode(newVectorStores, forKey: .vectorStores)
        } else {
            try container.encodeIfPresent(resources.fileSearch, forKey: .fileSearch)
        }
    }
}

/// `{file_ids, chunking_strategy, metadata}`: a vector store to create along with an assistant or thread.
public struct VectorStoreHelper: Codable, Sendable, Equatable {
    public var fileIDs: [String]
    public var chunkingStrategy: ChunkingStrategy?
    public var metadata: Metadata?

    public init(fileIDs: [String], chunkingStrategy: ChunkingStrategy? = nil, metadata: Metadata? = nil) {
        self.fileIDs = fileIDs
        self.chunkingStrategy = chunkingStrategy
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case fileIDs = "file_ids", chunkingStrategy = "chunking_strategy", metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fileIDs = try container.decodeIfPresent([String].self, forKey: .fileIDs) ?? []
        chunkingStrategy = try container.decodeIfPresent(ChunkingStrategy.self, forKey: .chunkingStrategy)
        metadata = try container.decodeMetadata(.metadata) ?? nil
    }
}

/// How files are split into chunks: `auto` (800 tokens, 400 overlap) or `static`.
public enum ChunkingStrategy: Codable, Sendable, Equatable {
    case auto
    case `static`(maxChunkSizeTokens: Int, chunkOverlapTokens: Int)

    enum CodingKeys: String, CodingKey { case type, `static` }
    enum StaticKeys: String, CodingKey {
        case maxChunkSizeTokens = "max_chunk_size_tokens", chunkOverlapTokens = "chunk_overlap_tokens"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "auto":
            self = .auto
        case "static":
            let values = try container.nestedContainer(keyedBy: StaticKeys.self, forKey: .static)
            let size = try values.decode(Int.self, forKey: .maxChunkSizeTokens)
            try Check.integer(size, in: 100...4096, param: values.param(.maxChunkSizeTokens))
            let overlap = try values.decode(Int.self, forKey: .chunkOverlapTokens)
            try Check.integer(overlap, in: 0...(size / 2), param: values.param(.chunkOverlapTokens))
            self = .static(maxChunkSizeTokens: size, chunkOverlapTokens: overlap)
        default:
            throw APIError.invalidValue(type, param: container.param(.type), supported: ["auto", "static"])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .auto:
            try container.encode("auto", forKey: .type)
        case .static(let size, let overlap):
            try container.encode("static", forKey: .type)
            var values = container.nestedContainer(keyedBy: StaticKeys.self, forKey: .static)
            try values.encode(size, forKey: .maxChunkSizeTokens)
            try values.encode(overlap, forKey: .chunkOverlapTokens)
        }
    }
}

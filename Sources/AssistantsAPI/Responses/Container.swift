/// `object: "container"`: a sandboxed Python environment with files, for `code_interpreter` in responses.
/// It expires after `expires_after.minutes` without use (20 by default), as OpenAI's do. Its
/// `network_policy` is always `disabled`: the sandbox has no network.
public struct Container: Codable, Sendable, Equatable {
    public enum Status: String, WireEnum { case running, expired }

    public struct ExpiresAfter: Codable, Sendable, Equatable {
        public var anchor: String
        public var minutes: Int

        public init(minutes: Int) {
            anchor = "last_active_at"
            self.minutes = minutes
        }

        public static let `default` = ExpiresAfter(minutes: 20)
        /// OpenAI's bounds for a container's idle lifetime.
        public static let minutes = 1...10_080

        enum CodingKeys: String, CodingKey { case anchor, minutes }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            anchor = try container.decode(String.self, forKey: .anchor)
            guard anchor == "last_active_at" else {
                throw APIError.invalidValue(anchor, param: container.param(.anchor), supported: ["last_active_at"])
            }
            minutes = try container.decode(Int.self, forKey: .minutes)
            try Check.integer(minutes, in: Self.minutes, param: container.param(.minutes))
        }
    }

    public var id: String
    public var createdAt: Int
    public var name: String
    public var status: Status
    public var expiresAfter: ExpiresAfter
    public var lastActiveAt: Int
    public var memoryLimit: String

    public init(
        id: String, createdAt: Int, name: String, status: Status = .running, expiresAfter: ExpiresAfter = .default,
        lastActiveAt: Int? = nil, memoryLimit: String = "1g"
    ) {
        self.id = id
        self.createdAt = createdAt
        self.name = name
        self.status = status
        self.expiresAfter = expiresAfter
        self.lastActiveAt = lastActiveAt ?? createdAt
        self.memoryLimit = memoryLimit
    }

    enum CodingKeys: String, CodingKey {
        case id, object, createdAt = "created_at", name, status, expiresAfter = "expires_after", lastActiveAt = "last_active_at"
        case memoryLimit = "memory_limit", networkPolicy = "network_policy"
    }

    struct NetworkPolicy: Codable { var type = "disabled" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        createdAt = try container.decode(Int.self, forKey: .createdAt)
        name = try container.decode(String.self, forKey: .name)
        status = try container.decode(Status.self, forKey: .status)
        expiresAfter = try container.decodeIfPresent(ExpiresAfter.self, forKey: .expiresAfter) ?? .default
        lastActiveAt = try container.decodeIfPresent(Int.self, forKey: .lastActiveAt) ?? createdAt
        memoryLimit = try container.decodeIfPresent(String.self, forKey: .memoryLimit) ?? "1g"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("container", forKey: .object)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(expiresAfter, forKey: .expiresAfter)
        try container.encode(lastActiveAt, forKey: .lastActiveAt)
        try container.encode(memoryLimit, forKey: .memoryLimit)
        try container.encode(NetworkPolicy(), forKey: .networkPolicy)
    }
}

/// `object: "container.file"`: a file in a container, at `path` under /mnt/data. `source` is `user` for files
/// put there by the client, `assistant` for files the code wrote.
public struct ContainerFile: Codable, Sendable, Equatable {
    public var id: String
    public var containerID: String
    public var createdAt: Int
    public var bytes: Int
    public var path: String
    public var source: String

    public init(id: String, containerID: String, createdAt: Int, bytes: Int, path: String, source: String) {
        self.id = id
        self.containerID = containerID
        self.createdAt = createdAt
        self.bytes = bytes
        self.path = path
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case id, object, containerID = "container_id", createdAt = "created_at", bytes, path, source
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        containerID = try container.decode(String.self, forKey: .containerID)
        createdAt = try container.decode(Int.self, forKey: .createdAt)
        bytes = try container.decode(Int.self, forKey: .bytes)
        path = try container.decode(String.self, forKey: .path)
        source = try container.decode(String.self, forKey: .source)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("container.file", forKey: .object)
        try container.encode(containerID, forKey: .containerID)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(path, forKey: .path)
        try container.encode(source, forKey: .source)
    }
}

/// `POST /containers`.
public struct CreateContainerRequest: Codable, Sendable, Equatable {
    public var name: String
    public var fileIDs: [String]
    public var expiresAfter: Container.ExpiresAfter
    public var memoryLimit: String

    public init(name: String, fileIDs: [String] = [], expiresAfter: Container.ExpiresAfter = .default, memoryLimit: String = "1g") {
        self.name = name
        self.fileIDs = fileIDs
        self.expiresAfter = expiresAfter
        self.memoryLimit = memoryLimit
    }

    enum CodingKeys: String, CodingKey {
        case name, fileIDs = "file_ids", expiresAfter = "expires_after", memoryLimit = "memory_limit", networkPolicy = "network_policy"
        case skills
    }
    enum NetworkPolicyKeys: String, CodingKey { case type }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        try Check.length(name, max: 256, param: "name")
        fileIDs = try container.decodeArray([String].self, forKey: .fileIDs, maxCount: 100) ?? []
        expiresAfter = try container.decodeNonNull(Container.ExpiresAfter.self, forKey: .expiresAfter) ?? .default
        memoryLimit = try container.decodeNonNull(String.self, forKey: .memoryLimit) ?? "1g"
        guard ResponseCodeInterpreterTool.memoryLimits.contains(memoryLimit) else {
            throw APIError.invalidValue(memoryLimit, param: "memory_limit", supported: ResponseCodeInterpreterTool.memoryLimits)
        }
        // The sandbox has no network to allow anything on.
        if try container.decodeIfPresent(JSONValue.self, forKey: .networkPolicy) != nil {
            let policy = try container.nestedContainer(keyedBy: NetworkPolicyKeys.self, forKey: .networkPolicy)
            let type = try policy.decode(String.self, forKey: .type)
            guard type == "disabled" else { throw APIError.invalidValue(type, param: policy.param(.type), supported: ["disabled"]) }
        }
        // There are no skills here (no Skills API) for a container to load: asking for some is refused, not ignored.
        if let skills = try container.decodeIfPresent([JSONValue].self, forKey: .skills), !skills.isEmpty {
            throw APIError.invalidRequest("Skills are not supported by this server.", param: "skills", code: "unsupported_parameter")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(fileIDs, forKey: .fileIDs)
        try container.encode(expiresAfter, forKey: .expiresAfter)
        try container.encode(memoryLimit, forKey: .memoryLimit)
    }
}

/// `POST /containers/{id}/files` with a JSON body: a stored file to copy in. (An upload comes as multipart.)
public struct CreateContainerFileRequest: Codable, Sendable, Equatable {
    public var fileID: String

    public init(fileID: String) {
        self.fileID = fileID
    }

    enum CodingKeys: String, CodingKey { case fileID = "file_id" }

    public init(from decoder: any Decoder) throws {
        fileID = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .fileID)
    }
}

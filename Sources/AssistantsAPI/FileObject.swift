/// `object: "file"`: an uploaded file's record; its bytes live in the blob store.
public struct FileObject: Codable, Sendable, Equatable {
    public var id: String
    public var bytes: Int
    public var createdAt: Int
    public var expiresAt: Int?
    public var filename: String
    public var purpose: String
    public var status: String
    public var statusDetails: String?

    public init(
        id: String, bytes: Int, createdAt: Int, expiresAt: Int? = nil, filename: String, purpose: String,
        status: String = "processed", statusDetails: String? = nil
    ) {
        self.id = id
        self.bytes = bytes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.filename = filename
        self.purpose = purpose
        self.status = status
        self.statusDetails = statusDetails
    }

    enum CodingKeys: String, CodingKey {
        case id, object, bytes, createdAt = "created_at", expiresAt = "expires_at", filename, purpose, status
        case statusDetails = "status_details"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        bytes = try container.decode(Int.self, forKey: .bytes)
        createdAt = try container.decode(Int.self, forKey: .createdAt)
        expiresAt = try container.decodeIfPresent(Int.self, forKey: .expiresAt)
        filename = try container.decode(String.self, forKey: .filename)
        purpose = try container.decode(String.self, forKey: .purpose)
        status = try container.decode(String.self, forKey: .status)
        statusDetails = try container.decodeIfPresent(String.self, forKey: .statusDetails)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("file", forKey: .object)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(createdAt, forKey: .createdAt)
        // Neither is nullable on the wire: absent when there is none.
        try container.encodeIfPresent(expiresAt, forKey: .expiresAt)
        try container.encode(filename, forKey: .filename)
        try container.encode(purpose, forKey: .purpose)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(statusDetails, forKey: .statusDetails)
    }
}

/// The purposes a client may upload a file for (`assistants_output` and `batch_output` are the server's own).
public enum UploadPurpose: String, WireEnum {
    case assistants, batch, fineTune = "fine-tune", vision, userData = "user_data", evals

    /// Uploads for the Batch API default to expiring after 30 days.
    public var defaultLifetime: Int? { self == .batch ? 30 * 24 * 3600 : nil }
}

/// The limits of `POST /files`.
public enum FileLimits {
    public static let maxBytes = 512 * 1024 * 1024
    public static let expiresAfterSeconds = 3600...2_592_000
}

/// A part of a message as requests send it: text is a plain string here.
public enum MessageContentInput: Codable, Sendable, Equatable {
    case text(String)
    case imageFile(ImageFile)
    case imageURL(ImageURL)

    enum CodingKeys: String, CodingKey { case type, text, imageFile = "image_file", imageURL = "image_url" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "text": self = .text(try container.decode(String.self, forKey: .text))
        case "image_file": self = .imageFile(try container.decode(ImageFile.self, forKey: .imageFile))
        case "image_url": self = .imageURL(try container.decode(ImageURL.self, forKey: .imageURL))
        default: throw APIError.invalidValue(type, param: container.param(.type), supported: ["text", "image_file", "image_url"])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .imageFile(let image):
            try container.encode("image_file", forKey: .type)
            try container.encode(image, forKey: .imageFile)
        case .imageURL(let image):
            try container.encode("image_url", forKey: .type)
            try container.encode(image, forKey: .imageURL)
        }
    }
}

/// A part of a message as the message object holds it.
public enum MessageContent: Codable, Sendable, Equatable {
    case text(MessageText)
    case imageFile(ImageFile)
    case imageURL(ImageURL)
    case refusal(String)

    enum CodingKeys: String, CodingKey { case type, text, imageFile = "image_file", imageURL = "image_url", refusal }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "text": self = .text(try container.decode(MessageText.self, forKey: .text))
        case "image_file": self = .imageFile(try container.decode(ImageFile.self, forKey: .imageFile))
        case "image_url": self = .imageURL(try container.decode(ImageURL.self, forKey: .imageURL))
        case "refusal": self = .refusal(try container.decode(String.self, forKey: .refusal))
        default: throw APIError.invalidValue(type, param: container.param(.type), supported: ["text", "image_file", "image_url", "refusal"])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .imageFile(let image):
            try container.encode("image_file", forKey: .type)
            try container.encode(image, forKey: .imageFile)
        case .imageURL(let image):
            try container.encode("image_url", forKey: .type)
            try container.encode(image, forKey: .imageURL)
        case .refusal(let refusal):
            try container.encode("refusal", forKey: .type)
            try container.encode(refusal, forKey: .refusal)
        }
    }
}

public struct MessageText: Codable, Sendable, Equatable {
    public var value: String
    public var annotations: [Annotation]

    public init(value: String, annotations: [Annotation] = []) {
        self.value = value
        self.annotations = annotations
    }
}

/// A citation of a file (`file_citation`) or a file the code interpreter wrote (`file_path`), placed on
/// the span `start_index..<end_index` of the text that reads `text`.
public struct Annotation: Codable, Sendable, Equatable {
    public enum Kind: String, WireEnum {
        case fileCitation = "file_citation", filePath = "file_path"
    }

    public var kind: Kind
    public var text: String
    public var fileID: String
    public var startIndex: Int
    public var endIndex: Int
    /// For a `file_path` to a file that a response's code wrote in a container: the container, so that the
    /// Responses API shows the annotation as a `container_file_citation`. Stored, never part of the wire object.
    public var containerID: String?

    public init(kind: Kind, text: String, fileID: String, startIndex: Int, endIndex: Int, containerID: String? = nil) {
        self.kind = kind
        self.text = text
        self.fileID = fileID
        self.startIndex = startIndex
        self.endIndex = endIndex
        self.containerID = containerID
    }

    enum CodingKeys: String, CodingKey {
        case type, text, fileCitation = "file_citation", filePath = "file_path", startIndex = "start_index", endIndex = "end_index"
        case containerID = "_container_id"
    }

    struct FileReference: Codable { var file_id: String }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(Kind.self, forKey: .type)
        text = try container.decode(String.self, forKey: .text)
        fileID = try container.decode(FileReference.self, forKey: kind == .fileCitation ? .fileCitation : .filePath).file_id
        startIndex = try container.decode(Int.self, forKey: .startIndex)
        endIndex = try container.decode(Int.self, forKey: .endIndex)
        containerID = try container.decodeIfPresent(String.self, forKey: .containerID)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .type)
        try container.encode(text, forKey: .text)
        try container.encode(FileReference(file_id: fileID), forKey: kind == .fileCitation ? .fileCitation : .filePath)
        try container.encode(startIndex, forKey: .startIndex)
        try container.encode(endIndex, forKey: .endIndex)
        if encoder.userInfo[.storage] as? Bool == true { try container.encodeIfPresent(containerID, forKey: .containerID) }
    }
}

public enum ImageDetail: String, WireEnum { case auto, low, high }

public struct ImageFile: Codable, Sendable, Equatable {
    public var fileID: String
    public var detail: ImageDetail

    public init(fileID: String, detail: ImageDetail = .auto) {
        self.fileID = fileID
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey { case fileID = "file_id", detail }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fileID = try container.decode(String.self, forKey: .fileID)
        detail = try container.decodeNonNull(ImageDetail.self, forKey: .detail) ?? .auto
    }
}

public struct ImageURL: Codable, Sendable, Equatable {
    public var url: String
    public var detail: ImageDetail

    public init(url: String, detail: ImageDetail = .auto) {
        self.url = url
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey { case url, detail }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decode(String.self, forKey: .url)
        try Self.check(url, param: container.param(.url))
        detail = try container.decodeNonNull(ImageDetail.self, forKey: .detail) ?? .auto
    }
}

extension ImageURL {
    /// An image URL the server can fetch or decode: http(s), or a `data:image/` URL. Shared by the
    /// Assistants `image_url` parts and the Responses `input_image` parts.
    public static func check(_ url: String, param: String) throws(APIError) {
        guard ["https://", "http://", "data:image/"].contains(where: url.hasPrefix) else {
            throw .invalidRequest("Invalid '\(param)': expected an http(s) URL or a data:image/ URL.", param: param, code: "invalid_value")
        }
    }
}

/// A part of a Responses message: what clients write (`input_text`, `input_image`, `input_file`) and what
/// the model writes (`output_text`, `refusal`). One type for both, because clients send earlier output
/// back as input and a conversation holds both kinds of message.
public enum ResponseContent: Codable, Sendable, Equatable {
    case inputText(String)
    case inputImage(InputImage)
    case inputFile(InputFile)
    case outputText(OutputText)
    case refusal(String)

    /// The parts a `user`, `system` or `developer` message may hold, and a function call's output.
    public static let inputTypes = ["input_text", "input_image", "input_file"]
    /// The parts an `assistant` message may hold.
    public static let outputTypes = ["output_text", "refusal"]

    public var type: String {
        switch self {
        case .inputText: "input_text"
        case .inputImage: "input_image"
        case .inputFile: "input_file"
        case .outputText: "output_text"
        case .refusal: "refusal"
        }
    }

    enum CodingKeys: String, CodingKey { case type, text, refusal }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "input_text": self = .inputText(try container.decode(String.self, forKey: .text))
        case "input_image": self = .inputImage(try InputImage(from: decoder))
        case "input_file": self = .inputFile(try InputFile(from: decoder))
        case "output_text": self = .outputText(try OutputText(from: decoder))
        case "refusal": self = .refusal(try container.decode(String.self, forKey: .refusal))
        default: throw APIError.invalidValue(type, param: container.param(.type), supported: Self.inputTypes + Self.outputTypes)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .inputText(let text): try container.encode(text, forKey: .text)
        case .inputImage(let image): try image.encode(to: encoder)
        case .inputFile(let file): try file.encode(to: encoder)
        case .outputText(let text): try text.encode(to: encoder)
        case .refusal(let refusal): try container.encode(refusal, forKey: .refusal)
        }
    }
}

/// `input_image`: an uploaded file or a URL (http(s) or `data:image/`), exactly one of them.
public struct InputImage: Codable, Sendable, Equatable {
    public var fileID: String?
    public var imageURL: String?
    public var detail: ImageDetail

    public init(fileID: String? = nil, imageURL: String? = nil, detail: ImageDetail = .auto) {
        self.fileID = fileID
        self.imageURL = imageURL
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey { case fileID = "file_id", imageURL = "image_url", detail }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fileID = try container.decodeIfPresent(String.self, forKey: .fileID)
        imageURL = try container.decodeIfPresent(String.self, forKey: .imageURL)
        // The spec requires `detail`; OpenAI takes its absence as `auto`, and so do the SDKs' helpers.
        detail = try container.decodeIfPresent(ImageDetail.self, forKey: .detail) ?? .auto
        if let imageURL { try ImageURL.check(imageURL, param: container.param(.imageURL)) }
        guard (fileID == nil) != (imageURL == nil) else {
            let param = paramPath(decoder.codingPath)
            throw APIError.invalidRequest(
                "Invalid '\(param)': an input_image needs exactly one of 'file_id' or 'image_url'.", param: param, code: "invalid_value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(detail, forKey: .detail)
        try container.encodeIfPresent(fileID, forKey: .fileID)
        try container.encodeIfPresent(imageURL, forKey: .imageURL)
    }
}

/// `input_file`: an uploaded file (`file_id`), inline base64 data with its `filename`, or a `file_url`.
public struct InputFile: Codable, Sendable, Equatable {
    public var fileID: String?
    public var filename: String?
    public var fileData: String?
    public var fileURL: String?

    public init(fileID: String? = nil, filename: String? = nil, fileData: String? = nil, fileURL: String? = nil) {
        self.fileID = fileID
        self.filename = filename
        self.fileData = fileData
        self.fileURL = fileURL
    }

    enum CodingKeys: String, CodingKey { case fileID = "file_id", filename, fileData = "file_data", fileURL = "file_url" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fileID = try container.decodeIfPresent(String.self, forKey: .fileID)
        filename = try container.decodeNonNull(String.self, forKey: .filename)
        fileData = try container.decodeNonNull(String.self, forKey: .fileData)
        fileURL = try container.decodeNonNull(String.self, forKey: .fileURL)
        guard [fileID, fileData, fileURL].compactMap(\.self).count == 1 else {
            let param = paramPath(decoder.codingPath)
            throw APIError.invalidRequest(
                "Invalid '\(param)': an input_file needs exactly one of 'file_id', 'file_data' or 'file_url'.", param: param,
                code: "invalid_value")
        }
        if fileData != nil && filename == nil { throw APIError.missingParameter(container.param(.filename)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(fileID, forKey: .fileID)
        try container.encodeIfPresent(filename, forKey: .filename)
        try container.encodeIfPresent(fileData, forKey: .fileData)
        try container.encodeIfPresent(fileURL, forKey: .fileURL)
    }
}

/// `output_text`: the model's text with its citations. `logprobs` is always empty: the server asks its model
/// endpoint for none, and the spec requires the key.
public struct OutputText: Codable, Sendable, Equatable {
    public var text: String
    public var annotations: [ResponseAnnotation]

    public init(text: String, annotations: [ResponseAnnotation] = []) {
        self.text = text
        self.annotations = annotations
    }

    enum CodingKeys: String, CodingKey { case text, annotations, logprobs }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decode(String.self, forKey: .text)
        // Clients sending earlier output back often leave the annotations out.
        annotations = try container.decodeIfPresent([ResponseAnnotation].self, forKey: .annotations) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encode(annotations, forKey: .annotations)
        try container.encode([JSONValue](), forKey: .logprobs)
    }
}

/// A citation in `output_text`. `file_citation` and `file_path` mark a point (`index`) in the text;
/// `container_file_citation` and `url_citation` a span.
public enum ResponseAnnotation: Codable, Sendable, Equatable {
    /// A file that `file_search` found.
    case fileCitation(fileID: String, filename: String, index: Int)
    /// A file the code interpreter wrote in a container.
    case containerFileCitation(containerID: String, fileID: String, filename: String, startIndex: Int, endIndex: Int)
    case filePath(fileID: String, index: Int)
    /// Never produced here (there is no web search); read so that output from elsewhere can be sent back.
    case urlCitation(url: String, title: String, startIndex: Int, endIndex: Int)

    public static let supportedTypes = ["file_citation", "container_file_citation", "file_path", "url_citation"]

    enum CodingKeys: String, CodingKey {
        case type, fileID = "file_id", filename, index, containerID = "container_id", startIndex = "start_index"
        case endIndex = "end_index", url, title
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "file_citation":
            self = .fileCitation(
                fileID: try container.decode(String.self, forKey: .fileID), filename: try container.decode(String.self, forKey: .filename),
                index: try container.decode(Int.self, forKey: .index))
        case "container_file_citation":
            self = .containerFileCitation(
                containerID: try container.decode(String.self, forKey: .containerID), fileID: try container.decode(String.self, forKey: .fileID),
                filename: try container.decode(String.self, forKey: .filename), startIndex: try container.decode(Int.self, forKey: .startIndex),
                endIndex: try container.decode(Int.self, forKey: .endIndex))
        case "file_path":
            self = .filePath(fileID: try container.decode(String.self, forKey: .fileID), index: try container.decode(Int.self, forKey: .index))
        case "url_citation":
            self = .urlCitation(
                url: try container.decode(String.self, forKey: .url), title: try container.decode(String.self, forKey: .title),
                startIndex: try container.decode(Int.self, forKey: .startIndex), endIndex: try container.decode(Int.self, forKey: .endIndex))
        default:
            throw APIError.invalidValue(type, param: container.param(.type), supported: Self.supportedTypes)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .fileCitation(let fileID, let filename, let index):
            try container.encode("file_citation", forKey: .type)
            try container.encode(fileID, forKey: .fileID)
            try container.encode(filename, forKey: .filename)
            try container.encode(index, forKey: .index)
        case .containerFileCitation(let containerID, let fileID, let filename, let startIndex, let endIndex):
            try container.encode("container_file_citation", forKey: .type)
            try container.encode(containerID, forKey: .containerID)
            try container.encode(fileID, forKey: .fileID)
            try container.encode(filename, forKey: .filename)
            try container.encode(startIndex, forKey: .startIndex)
            try container.encode(endIndex, forKey: .endIndex)
        case .filePath(let fileID, let index):
            try container.encode("file_path", forKey: .type)
            try container.encode(fileID, forKey: .fileID)
            try container.encode(index, forKey: .index)
        case .urlCitation(let url, let title, let startIndex, let endIndex):
            try container.encode("url_citation", forKey: .type)
            try container.encode(url, forKey: .url)
            try container.encode(title, forKey: .title)
            try container.encode(startIndex, forKey: .startIndex)
            try container.encode(endIndex, forKey: .endIndex)
        }
    }
}

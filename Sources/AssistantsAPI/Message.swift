/// `object: "thread.message"`.
public struct Message: Codable, Sendable, Equatable {
    public enum Role: String, WireEnum { case user, assistant }
    public enum Status: String, WireEnum { case inProgress = "in_progress", incomplete, completed }

    public struct IncompleteDetails: Codable, Sendable, Equatable {
        public var reason: String
        public init(reason: String) { self.reason = reason }
    }

    public var id: String
    public var createdAt: Int
    public var threadID: String
    public var status: Status
    public var incompleteDetails: IncompleteDetails?
    public var completedAt: Int?
    public var incompleteAt: Int?
    public var role: Role
    public var content: [MessageContent]
    public var assistantID: String?
    public var runID: String?
    public var attachments: [Attachment]
    public var metadata: Metadata

    public init(
        id: String, createdAt: Int, threadID: String, status: Status = .completed, incompleteDetails: IncompleteDetails? = nil,
        completedAt: Int? = nil, incompleteAt: Int? = nil, role: Role, content: [MessageContent], assistantID: String? = nil,
        runID: String? = nil, attachments: [Attachment] = [], metadata: Metadata = [:]
    ) {
        self.id = id
        self.createdAt = createdAt
        self.threadID = threadID
        self.status = status
        self.incompleteDetails = incompleteDetails
        self.completedAt = completedAt
        self.incompleteAt = incompleteAt
        self.role = role
        self.content = content
        self.assistantID = assistantID
        self.runID = runID
        self.attachments = attachments
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case id, object, createdAt = "created_at", threadID = "thread_id", status, incompleteDetails = "incomplete_details"
        case completedAt = "completed_at", incompleteAt = "incomplete_at", role, content, assistantID = "assistant_id"
        case runID = "run_id", attachments, metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        createdAt = try container.decode(Int.self, forKey: .createdAt)
        threadID = try container.decode(String.self, forKey: .threadID)
        status = try container.decode(Status.self, forKey: .status)
        incompleteDetails = try container.decodeIfPresent(IncompleteDetails.self, forKey: .incompleteDetails)
        completedAt = try container.decodeIfPresent(Int.self, forKey: .completedAt)
        incompleteAt = try container.decodeIfPresent(Int.self, forKey: .incompleteAt)
        role = try container.decode(Role.self, forKey: .role)
        content = try container.decode([MessageContent].self, forKey: .content)
        assistantID = try container.decodeIfPresent(String.self, forKey: .assistantID)
        runID = try container.decodeIfPresent(String.self, forKey: .runID)
        attachments = try container.decodeIfPresent([Attachment].self, forKey: .attachments) ?? []
        metadata = try container.decodeIfPresent(Metadata.self, forKey: .metadata) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("thread.message", forKey: .object)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(threadID, forKey: .threadID)
        try container.encode(status, forKey: .status)
        try container.encode(incompleteDetails, forKey: .incompleteDetails)
        try container.encode(completedAt, forKey: .completedAt)
        try container.encode(incompleteAt, forKey: .incompleteAt)
        try container.encode(role, forKey: .role)
        try container.encode(content, forKey: .content)
        try container.encode(assistantID, forKey: .assistantID)
        try container.encode(runID, forKey: .runID)
        try container.encode(attachments, forKey: .attachments)
        try container.encode(metadata, forKey: .metadata)
    }
}

/// A file attached to a message, with the tools that may use it.
public struct Attachment: Codable, Sendable, Equatable {
    public enum Tool: String, WireEnum {
        case codeInterpreter = "code_interpreter", fileSearch = "file_search"
    }

    /// Where an attachment that holds a Responses `input_file` part stood among the message item's parts,
    /// and the `filename` the part gave, so that the item reads back as it was sent.
    public struct InputPart: Codable, Sendable, Equatable {
        public var index: Int
        public var filename: String?

        public init(index: Int, filename: String? = nil) {
            self.index = index
            self.filename = filename
        }
    }

    public var fileID: String
    public var tools: [Tool]
    /// Set for the `input_file` part of a message item: the model reads the file's text with the message,
    /// where an Assistants attachment is only there for its tools. Stored, never part of the wire object.
    public var inputPart: InputPart?

    public init(fileID: String, tools: [Tool], inputPart: InputPart? = nil) {
        self.fileID = fileID
        self.tools = tools
        self.inputPart = inputPart
    }

    enum CodingKeys: String, CodingKey { case fileID = "file_id", tools, inputPart = "_input_part" }
    enum ToolKeys: String, CodingKey { case type }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fileID = try container.decode(String.self, forKey: .fileID)
        inputPart = try container.decodeIfPresent(InputPart.self, forKey: .inputPart)
        var toolsContainer = try container.nestedUnkeyedContainer(forKey: .tools)
        var tools: [Tool] = []
        while !toolsContainer.isAtEnd {
            let tool = try toolsContainer.nestedContainer(keyedBy: ToolKeys.self)
            tools.append(try tool.decode(Tool.self, forKey: .type))
        }
        self.tools = tools
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(fileID, forKey: .fileID)
        var toolsContainer = container.nestedUnkeyedContainer(forKey: .tools)
        for tool in tools {
            var entry = toolsContainer.nestedContainer(keyedBy: ToolKeys.self)
            try entry.encode(tool, forKey: .type)
        }
        if encoder.userInfo[.storage] as? Bool == true { try container.encodeIfPresent(inputPart, forKey: .inputPart) }
    }
}

/// `POST /threads/{id}/messages`, and each of `messages` on thread create.
public struct CreateMessageRequest: Codable, Sendable, Equatable {
    public var role: Message.Role
    public var content: [MessageContentInput]
    public var attachments: [Attachment]
    public var metadata: Metadata?

    public init(role: Message.Role, content: [MessageContentInput], attachments: [Attachment] = [], metadata: Metadata? = nil) {
        self.role = role
        self.content = content
        self.attachments = attachments
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey { case role, content, attachments, metadata }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(Message.Role.self, forKey: .role)
        if let text = try? container.decode(String.self, forKey: .content) {
            content = [.text(text)]
        } else if let value = try? container.decode(JSONValue.self, forKey: .content), case .array = value {
            content = try container.decode([MessageContentInput].self, forKey: .content)
            try Check.notEmpty(content.count, param: container.param(.content))
        } else if container.contains(.content) {
            let got = (try? container.decode(JSONValue.self, forKey: .content))?.kindDescription ?? "null"
            throw APIError.invalidType(param: container.param(.content), expected: "one of a string or an array of content parts", got: got)
        } else {
            throw APIError.missingParameter(container.param(.content))
        }
        // `_input_part` is the server's own: a client cannot make an attachment an input_file part.
        attachments = (try container.decodeIfPresent([Attachment].self, forKey: .attachments) ?? []).map { attachment in
            var attachment = attachment
            attachment.inputPart = nil
            return attachment
        }
        metadata = try container.decodeMetadata(.metadata) ?? nil
    }

    /// The content as the message object stores it.
    public var messageContent: [MessageContent] {
        content.map { part in
            switch part {
            case .text(let text): .text(MessageText(value: text))
            case .imageFile(let image): .imageFile(image)
            case .imageURL(let image): .imageURL(image)
            }
        }
    }

    /// Every file the message refers to, with the parameter that names it.
    public var referencedFiles: [(param: String, fileID: String)] {
        var files: [(String, String)] = []
        for (index, part) in content.enumerated() {
            if case .imageFile(let image) = part { files.append(("content[\(index)].image_file.file_id", image.fileID)) }
        }
        for (index, attachment) in attachments.enumerated() {
            files.append(("attachments[\(index)].file_id", attachment.fileID))
        }
        return files
    }
}

/// Modify requests that change only `metadata` (messages, runs).
public struct MetadataUpdateRequest: Codable, Sendable, Equatable {
    public var metadata: Metadata??

    public init(metadata: Metadata?? = nil) {
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey { case metadata }

    public init(from decoder: any Decoder) throws {
        metadata = try decoder.container(keyedBy: CodingKeys.self).decodeMetadata(.metadata)
    }
}

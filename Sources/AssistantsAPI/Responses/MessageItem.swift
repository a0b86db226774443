/// The one conversion between a thread's messages and a conversation's message items. A message item *is*
/// its message read through the Responses API, so the store keeps the message and converts on read: the two
/// views cannot diverge.
extension ResponseMessage {
    /// The message as a Responses item: a user's parts as input parts, an assistant's as output parts, and
    /// a file the message attaches as an `input_file` part where the item had it (after them for an
    /// Assistants attachment).
    public init(_ message: Message) {
        let role: Role = message.role == .assistant ? .assistant : .user
        let content: [ResponseContent] = message.orderedParts.compactMap { part -> ResponseContent? in
            switch part {
            case .content(.text(let text)) where message.role == .assistant:
                .outputText(OutputText(text: text.value, annotations: text.annotations.map(ResponseAnnotation.init)))
            case .content(.text(let text)): .inputText(text.value)
            case .content(.imageFile(let image)): .inputImage(InputImage(fileID: image.fileID, detail: image.detail))
            case .content(.imageURL(let image)): .inputImage(InputImage(imageURL: image.url, detail: image.detail))
            case .content(.refusal(let refusal)): .refusal(refusal)
            case .attachment(let attachment) where message.role == .user:
                .inputFile(InputFile(fileID: attachment.fileID, filename: attachment.inputPart?.filename))
            case .attachment: nil
            }
        }
        let status: ItemStatus = switch message.status {
        case .inProgress: .inProgress
        case .incomplete: .incomplete
        case .completed: .completed
        }
        self.init(id: message.id, role: role, content: content, status: status)
    }
}

extension Message {
    /// A message's content part or attached file, in `orderedParts`.
    public enum Part: Sendable, Equatable {
        case content(MessageContent)
        case attachment(Attachment)
    }

    /// The content with each `input_file` attachment back at its place among the item's parts, then the
    /// attachments of the Assistants API, which have no place in the content.
    public var orderedParts: [Part] {
        var parts = content.map(Part.content)
        let placed = attachments.filter { $0.inputPart != nil }.sorted { $0.inputPart!.index < $1.inputPart!.index }
        for attachment in placed { parts.insert(.attachment(attachment), at: min(attachment.inputPart!.index, parts.count)) }
        return parts + attachments.filter { $0.inputPart == nil }.map(Part.attachment)
    }

    /// The thread message that holds a `user` or `assistant` message item; nil for `system` and `developer`
    /// items, which the Assistants API has no role for. `input_file` parts become attachments with no tools
    /// that keep their place among the parts (the file is part of the message, not of a vector store).
    /// Inline file data or URLs are not kept here: callers store them as files first and pass items naming
    /// `file_id`s (`InputFiles`).
    public init?(_ item: ResponseMessage, id: String, threadID: String, createdAt: Int, assistantID: String? = nil, runID: String? = nil) {
        let role: Role
        switch item.role {
        case .user: role = .user
        case .assistant: role = .assistant
        case .system, .developer: return nil
        }
        var content: [MessageContent] = []
        var attachments: [Attachment] = []
        for (index, part) in item.content.enumerated() {
            switch part {
            case .inputText(let text): content.append(.text(MessageText(value: text)))
            case .outputText(let text): content.append(.text(MessageText(value: text.text, annotations: text.annotations.compactMap(\.messageAnnotation))))
            case .refusal(let refusal): content.append(.refusal(refusal))
            case .inputImage(let image):
                if let fileID = image.fileID {
                    content.append(.imageFile(ImageFile(fileID: fileID, detail: image.detail)))
                } else if let url = image.imageURL {
                    content.append(.imageURL(ImageURL(url: url, detail: image.detail)))
                }
            case .inputFile(let file):
                if let fileID = file.fileID {
                    attachments.append(Attachment(fileID: fileID, tools: [], inputPart: Attachment.InputPart(index: index, filename: file.filename)))
                }
            }
        }
        let status: Status = switch item.status {
        case .inProgress: .inProgress
        case .incomplete: .incomplete
        case .completed, nil: .completed
        }
        self.init(
            id: id, createdAt: createdAt, threadID: threadID, status: status,
            completedAt: status == .completed ? createdAt : nil, incompleteAt: status == .incomplete ? createdAt : nil,
            role: role, content: content, assistantID: assistantID, runID: runID, attachments: attachments)
    }
}

extension ResponseAnnotation {
    /// A thread message's annotation as Responses shows it. A citation's filename is the one its marker
    /// (`【0:1†notes.md】`) names; a file path's index is where its span starts. A path to a container's
    /// file (`sandbox:/mnt/data/out.csv`) is a `container_file_citation` over that span, named by the
    /// path's last component.
    public init(_ annotation: Annotation) {
        switch annotation.kind {
        case .fileCitation:
            self = .fileCitation(fileID: annotation.fileID, filename: Self.filename(inMarker: annotation.text), index: annotation.startIndex)
        case .filePath:
            if let containerID = annotation.containerID {
                self = .containerFileCitation(
                    containerID: containerID, fileID: annotation.fileID, filename: String(annotation.text.split(separator: "/").last ?? ""),
                    startIndex: annotation.startIndex, endIndex: annotation.endIndex)
            } else {
                self = .filePath(fileID: annotation.fileID, index: annotation.startIndex)
            }
        }
    }

    /// The annotation as a thread message holds it, for the kinds it has a place for. Responses annotations
    /// mark a position, not a span: the span is the empty one at that position.
    var messageAnnotation: Annotation? {
        switch self {
        case .fileCitation(let fileID, let filename, let index):
            Annotation(kind: .fileCitation, text: filename, fileID: fileID, startIndex: index, endIndex: index)
        case .filePath(let fileID, let index):
            Annotation(kind: .filePath, text: "", fileID: fileID, startIndex: index, endIndex: index)
        case .containerFileCitation(let containerID, let fileID, let filename, let startIndex, let endIndex):
            Annotation(
                kind: .filePath, text: "sandbox:/mnt/data/\(filename)", fileID: fileID, startIndex: startIndex, endIndex: endIndex,
                containerID: containerID)
        case .urlCitation:
            nil
        }
    }

    private static func filename(inMarker marker: String) -> String {
        guard let dagger = marker.firstIndex(of: "†") else { return marker }
        return String(marker[marker.index(after: dagger)...].prefix { $0 != "】" })
    }
}

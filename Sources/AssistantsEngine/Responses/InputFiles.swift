import AssistantsAPI
import AssistantsStore
import Foundation
import Retrieval

/// The files that message items name: `input_image` parts and `input_file` parts. The model reads an input
/// file's text (extracted as for `file_search`: PDF, DOCX, HTML, JSON, plain text and source code, within
/// `ExtractionLimits`) in its message, where the part stands. A part names an uploaded file (`file_id`) or
/// carries it inline (`file_data`, a `data:` URL or bare base64, with its `filename`); an inline file is kept
/// as a file of purpose `user_data` before the item is stored, and the stored part names it instead, so
/// later turns (`previous_response_id`, conversations) read it from the store as any other. `file_url` is
/// refused: this server fetches no URLs.
struct InputFiles {
    let store: any AssistantsStore
    let blobs: any BlobStore

    /// An inline file of some item's part, decoded and readable, not kept yet.
    struct Inline {
        var item: Int
        var part: Int
        var data: Data
        var filename: String
        /// What the model reads of it (`modelText`).
        var text: String
    }

    /// Checks the files the items name, before anything is stored: images must be stored files (a 400, as
    /// for messages); an input file must be a stored file (a 404) or decodable inline data, and its type
    /// must have text (a 400). Each error names the part's parameter under `param`. Returns the inline files.
    func check(_ items: [ResponseItem], param: String) async throws -> [Inline] {
        var images: [(param: String, fileID: String)] = []
        var inline: [Inline] = []
        for (index, item) in items.enumerated() {
            guard case .message(let message) = item else { continue }
            for (part, content) in message.content.enumerated() {
                let partParam = "\(param)[\(index)].content[\(part)]"
                switch content {
                case .inputImage(let image):
                    if let fileID = image.fileID { images.append(("\(partParam).file_id", fileID)) }
                case .inputFile(let file):
                    if let fileID = file.fileID {
                        _ = try await storedText(fileID, param: "\(partParam).file_id")
                    } else if let fileData = file.fileData, let filename = file.filename {
                        let data = try Self.decode(fileData, param: "\(partParam).file_data")
                        let text = try await Self.text(filename: filename, param: "\(partParam).file_data") {
                            try await offload { try TextExtractor.extract(data, filename: filename) }
                        }
                        inline.append(Inline(item: index, part: part, data: data, filename: filename, text: Self.modelText(filename: filename, text: text)))
                    } else {
                        throw APIError.unsupported(
                            "file_url is not supported: this server does not fetch URLs. Upload the file and give its file_id, or send it as file_data.",
                            param: "\(partParam).file_url")
                    }
                case .inputText, .outputText, .refusal:
                    continue
                }
            }
        }
        let missing = Set(try await store.missingFiles(among: images.map(\.fileID)))
        if let image = images.first(where: { missing.contains($0.fileID) }) { throw APIError.noFile(image.fileID, param: image.param) }
        return inline
    }

    /// Keeps the inline files as files of purpose `user_data` and returns the items with their parts naming
    /// them (`file_id` and the `filename` given) instead of carrying their data, and the ids of the files kept.
    func keep(_ inline: [Inline], in items: [ResponseItem], now: Int) async throws -> (items: [ResponseItem], fileIDs: [String]) {
        var items = items
        var kept: [String] = []
        for file in inline {
            guard case .message(var message) = items[file.item] else { continue }
            let stored = FileObject(id: ObjectKind.file.newID(), bytes: file.data.count, createdAt: now, filename: file.filename, purpose: "user_data")
            try await blobs.write(file.data, as: stored.id)
            try await store.createFile(stored, contentsIn: blobs)
            kept.append(stored.id)
            message.content[file.part] = .inputFile(InputFile(fileID: stored.id, filename: file.filename))
            items[file.item] = .message(message)
        }
        return (items, kept)
    }

    /// Deletes the files `keep` kept for a request that failed after keeping them, or for a response that
    /// leaves nothing behind (`store: false`). Best effort: a file left behind is an ordinary file.
    static func discard(_ fileIDs: [String], vectorStores: VectorStores) async {
        for id in fileIDs { _ = try? await vectorStores.deleteUploadedFile(id) }
    }

    /// What the model reads of a stored file in a message: its text under a line naming it, or a note
    /// saying why there is none (the file was deleted since, or cannot be read).
    func modelText(fileID: String) async throws -> String {
        do {
            let (filename, text) = try await storedText(fileID, param: "file_id")
            return Self.modelText(filename: filename, text: text)
        } catch let error as APIError {
            return "\n[File \(fileID) could not be read: \(error.message)]\n"
        }
    }

    /// The one form of a file's text in the model's context: between lines that name it, set apart by line
    /// breaks from the text parts around it (a message's text parts reach the model joined as one string).
    static func modelText(filename: String, text: String) -> String {
        "\n[File: \(filename)]\n\(text)\n[End of file: \(filename)]\n"
    }

    /// A stored file's name and text: a 404 naming `param` when there is no such file, a 400 when it has
    /// no text to read.
    private func storedText(_ fileID: String, param: String) async throws -> (filename: String, text: String) {
        guard let file = try await store.file(id: fileID) else { throw APIError.noFile(fileID, param: param).withStatus(404) }
        let text = try await Self.text(filename: file.filename, param: param) {
            let text = try await blobs.withLocalFile(fileID) { url in
                try await offload { try TextExtractor.extract(contentsOf: url, filename: file.filename) }
            }
            guard let text else { throw ExtractionError.invalid("The contents of file \(fileID) are no longer stored.") }
            return text
        }
        return (file.filename, text)
    }

    /// The text `extract` gives, off the cooperative pool; a file of a type with no text, or whose text
    /// cannot be read, is a 400 naming `param`.
    private static func text(filename: String, param: String, _ extract: @escaping @Sendable () async throws -> String) async throws -> String {
        guard TextExtractor.supports(filename: filename) else {
            let type = (filename as NSString).pathExtension
            throw APIError.invalidRequest(
                "Files of type '\(type.isEmpty ? filename : "." + type)' cannot be read as an input_file: this server reads the text of PDF, DOCX, HTML, JSON, plain-text and source code files.",
                param: param, code: "unsupported_file")
        }
        do {
            return try await extract()
        } catch let error as ExtractionError {
            throw APIError.invalidRequest(error.message, param: param, code: error.code)
        }
    }

    /// Inline file data: a `data:` URL with base64 contents, as OpenAI's SDKs send it, or bare base64.
    static func decode(_ fileData: String, param: String) throws -> Data {
        var encoded = Substring(fileData)
        if fileData.hasPrefix("data:") {
            guard let comma = fileData.firstIndex(of: ","), fileData[..<comma].hasSuffix(";base64") else {
                throw APIError.invalidRequest("Invalid '\(param)': a data URL must hold base64 data ('data:<type>;base64,...').", param: param, code: "invalid_value")
            }
            encoded = fileData[fileData.index(after: comma)...]
        }
        guard let data = Data(base64Encoded: String(encoded.filter { !$0.isWhitespace })) else {
            throw APIError.invalidRequest("Invalid '\(param)': the file data is not valid base64.", param: param, code: "invalid_value")
        }
        return data
    }
}

import AssistantsAPI
import AssistantsStore
import Foundation
import Hummingbird
import MultipartKit

/// A `multipart/form-data` upload read incrementally: the `file` part streams to a staging file as it
/// arrives, the other parts (small form fields) are kept in memory. Nothing is buffered whole.
struct MultipartUpload {
    struct File {
        var staged: URL
        var filename: String
        var bytes: Int
    }

    var fields: [String: String] = [:]
    var file: File?

    /// Form fields are a few short values such as `purpose`; these bound what a client can make us hold.
    static let maxFieldSize = 64 * 1024
    static let maxFields = 32
    /// All of one part's headers together (and anything before the first part). The parser holds a
    /// header whole and copies it as it grows, so this also keeps its work linear.
    static let maxPartHeaderSize = 16 * 1024

    static func read(_ request: Request, into blobs: any BlobStore, maxFileSize: Int) async throws -> MultipartUpload {
        guard let boundary = boundary(of: request.headers[.contentType]) else {
            throw APIError.invalidRequest("Invalid Content-Type header: expected multipart/form-data with a boundary.", param: "file")
        }
        let reader = try PartReader(boundary: boundary, blobs: blobs, maxFileSize: maxFileSize)
        do {
            for try await chunk in request.body {
                try reader.execute(chunk)
                if let error = reader.failure { throw error }
            }
            try reader.finish()
            return MultipartUpload(fields: reader.fields, file: reader.file)
        } catch {
            reader.discard()
            throw error is APIError ? error : APIError.invalidRequest("The multipart body could not be parsed.", param: "file")
        }
    }

    /// The boundary parameter of a `multipart/form-data` content type.
    static func boundary(of contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        let parameters = HeaderParameters(contentType)
        guard let boundary = parameters["boundary"], !boundary.isEmpty else { return nil }
        return boundary
    }
}

/// Receives the parser's callbacks. Its callbacks cannot throw, so the first failure is kept in `failure`.
private final class PartReader {
    let parser: MultipartParser
    let blobs: any BlobStore
    let maxFileSize: Int
    var fields: [String: String] = [:]
    var file: MultipartUpload.File?
    var failure: APIError?

    private var headers: [String: String] = [:]
    private var fieldBytes: [UInt8] = []
    private var output: FileHandle?
    private var writtenBytes = 0
    private var partStarted = false
    /// Bytes given to the parser since the current part's headers began; nil once its body has begun.
    private var headerBytes: Int? = 0
    private var partsCompleted = 0

    init(boundary: String, blobs: any BlobStore, maxFileSize: Int) throws {
        self.parser = MultipartParser(boundary: boundary)
        self.blobs = blobs
        self.maxFileSize = maxFileSize
        parser.onHeader = { [unowned self] name, value in headers[name.lowercased()] = value }
        parser.onBody = { [unowned self] buffer in receive(&buffer) }
        parser.onPartComplete = { [unowned self] in completePart() }
    }

    /// Feeds the parser; while a part's headers are being read, in small slices so that their size is
    /// known to within a slice and can be cut off at the cap.
    func execute(_ chunk: ByteBuffer) throws {
        var chunk = chunk
        while chunk.readableBytes > 0, failure == nil {
            guard let counted = headerBytes else {
                try parser.execute(chunk)
                return
            }
            let slice = chunk.readSlice(length: min(chunk.readableBytes, 1024))!
            let partsBefore = partsCompleted
            try parser.execute(slice)
            // Still in the same part's headers after the whole slice: all of it counts.
            if headerBytes != nil, partsCompleted == partsBefore {
                headerBytes = counted + slice.readableBytes
                if counted + slice.readableBytes > MultipartUpload.maxPartHeaderSize {
                    failure = .invalidRequest(
                        "The headers of a multipart part are too large: at most \(MultipartUpload.maxPartHeaderSize / 1024) KiB are accepted.",
                        param: "file")
                }
            }
        }
    }

    private var disposition: HeaderParameters { HeaderParameters(headers["content-disposition"] ?? "") }
    private var isFilePart: Bool { disposition["name"] == "file" && file == nil }

    private func startPart() {
        partStarted = true
        guard isFilePart else { return }
        do {
            let staged = try blobs.makeStagingFile()
            output = try FileHandle(forWritingTo: staged)
            file = .init(staged: staged, filename: disposition["filename"] ?? "file", bytes: 0)
        } catch {
            failure = APIError.serverError
        }
    }

    private func receive(_ buffer: inout ByteBuffer) {
        headerBytes = nil
        if !partStarted { startPart() }
        guard failure == nil else { return }
        if let output {
            writtenBytes += buffer.readableBytes
            guard writtenBytes <= maxFileSize else {
                failure = .invalidRequest("File is too large: the maximum size is \(maxFileSize / 1024 / 1024) MB.", param: "file", code: "file_too_large")
                return
            }
            do {
                try buffer.withUnsafeReadableBytes { try output.write(contentsOf: Data($0)) }
            } catch {
                failure = APIError.serverError
            }
        } else {
            fieldBytes += buffer.readableBytesView
            if fieldBytes.count > MultipartUpload.maxFieldSize {
                failure = .invalidRequest("Form field '\(disposition["name"] ?? "")' is too large.", param: disposition["name"])
            }
        }
        buffer.moveReaderIndex(to: buffer.writerIndex)
    }

    private func completePart() {
        if !partStarted { startPart() }
        if let output {
            try? output.close()
            self.output = nil
            file?.bytes = writtenBytes
        } else if let name = disposition["name"] {
            fields[name] = String(decoding: fieldBytes, as: UTF8.self)
            if fields.count > MultipartUpload.maxFields {
                failure = .invalidRequest("Too many form fields: at most \(MultipartUpload.maxFields) are accepted.")
            }
        }
        headers = [:]
        fieldBytes = []
        partStarted = false
        // The next part's headers begin.
        headerBytes = 0
        partsCompleted += 1
    }

    func finish() throws {
        if let failure { throw failure }
        // A body that ended inside the file part is a truncated upload, not a file.
        guard output == nil else { throw APIError.invalidRequest("The multipart body ended before the file was complete.", param: "file") }
    }

    func discard() {
        try? output?.close()
        if let staged = file?.staged { blobs.discard(staged) }
    }
}

/// `form-data; name="file"; filename="a.txt"` or `multipart/form-data; boundary=x`, as a lookup.
struct HeaderParameters {
    private var values: [String: String] = [:]

    init(_ header: String) {
        var parts: [String] = []
        var current = ""
        var quoted = false
        for character in header {
            if character == "\"" { quoted.toggle() }
            if character == ";" && !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let name = part[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = part[part.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            if name.hasSuffix("*"), let range = value.range(of: "''") {
                // RFC 5987: filename*=UTF-8''na%C3%AFve.txt
                values[String(name.dropLast())] = value[range.upperBound...].removingPercentEncoding ?? value
            } else if values[name] == nil {
                values[name] = value
            }
        }
    }

    subscript(name: String) -> String? { values[name] }
}

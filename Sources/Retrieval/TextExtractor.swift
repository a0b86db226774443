import Foundation

/// Turns an uploaded file into the plain text that is chunked and indexed. The type is chosen by the
/// filename's extension, as OpenAI does for `file_search`.
public enum TextExtractor {
    /// Extensions read as plain text: prose, markup kept as-is, data and source code.
    static let plainTextExtensions: Set<String> = [
        "txt", "text", "md", "markdown", "rst", "csv", "tsv", "log", "xml", "yaml", "yml", "toml", "ini",
        "swift", "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "java", "kt", "kts", "scala", "c", "cc", "cpp",
        "cxx", "h", "hh", "hpp", "cs", "go", "rs", "rb", "php", "pl", "sh", "bash", "zsh", "ps1", "css", "scss",
        "less", "tex", "sql", "r", "lua", "dart", "m", "mm", "hs", "ex", "exs", "erl", "clj", "vue", "svelte",
    ]

    /// Whether files of this name's type have text to extract (by its extension, as `extract` chooses).
    public static func supports(filename: String) -> Bool {
        let ext = (filename as NSString).pathExtension.lowercased()
        return ["html", "htm", "xhtml", "json", "docx", "pdf"].contains(ext) || plainTextExtensions.contains(ext)
    }

    /// The file's text, at most `ExtractionLimits.maxTextBytes` of it.
    public static func extract(_ data: Data, filename: String) throws(ExtractionError) -> String {
        let ext = (filename as NSString).pathExtension.lowercased()
        let text: String
        switch ext {
        case "html", "htm", "xhtml": text = HTMLText.text(of: try decode(data, filename: filename))
        case "json": text = try JSONText.text(of: data, filename: filename)
        case "docx": text = try DocxText.text(of: data, filename: filename)
        case "pdf": text = try PDFText.text(of: data, filename: filename)
        case _ where plainTextExtensions.contains(ext): text = try decode(data, filename: filename)
        default: throw unsupported(ext, filename: filename)
        }
        try checkTextSize(text.utf8.count, filename: filename)
        return text
    }

    /// The text of the file at `url`, as `extract(_:filename:)` gives it, without loading more of the file
    /// than its type needs: PDF and DOCX are read where they are, and of any other file no more than its
    /// type's size limit and a byte (enough to refuse it as too large) is read.
    public static func extract(contentsOf url: URL, filename: String) throws(ExtractionError) -> String {
        let ext = (filename as NSString).pathExtension.lowercased()
        let text: String
        switch ext {
        case "pdf": text = try PDFText.text(ofFileAt: url, filename: filename)
        case "docx": text = try DocxText.text(ofFileAt: url, filename: filename)
        case "html", "htm", "xhtml", "json", _ where plainTextExtensions.contains(ext):
            let limit = ext == "json" ? ExtractionLimits.maxJSONBytes : ExtractionLimits.maxTextBytes
            let data: Data
            do {
                let handle = try FileHandle(forReadingFrom: url)
                defer { try? handle.close() }
                data = try handle.read(upToCount: limit + 1) ?? Data()
            } catch {
                throw .invalid("Could not read \(filename): \(error)")
            }
            return try extract(data, filename: filename)
        default: throw unsupported(ext, filename: filename)
        }
        try checkTextSize(text.utf8.count, filename: filename)
        return text
    }

    /// `chunks(of:filename:chunker:)` of the file at `url`, read as `extract(contentsOf:filename:)` does.
    public static func chunks(ofContentsOf url: URL, filename: String, chunker: Chunker) throws(ExtractionError) -> (chunks: [Chunk], textBytes: Int) {
        try chunks(of: try extract(contentsOf: url, filename: filename), filename: filename, chunker: chunker)
    }

    private static func unsupported(_ ext: String, filename: String) -> ExtractionError {
        .unsupported("Files of type '\(ext.isEmpty ? filename : "." + ext)' are not supported for file_search.")
    }

    /// The file's text cut into chunks, within `ExtractionLimits`, and the size of that text in bytes.
    /// The tokens are counted before any chunk is made, so a file over the limit costs no more memory
    /// than its text.
    public static func chunks(of data: Data, filename: String, chunker: Chunker) throws(ExtractionError) -> (chunks: [Chunk], textBytes: Int) {
        try chunks(of: try extract(data, filename: filename), filename: filename, chunker: chunker)
    }

    private static func chunks(of text: String, filename: String, chunker: Chunker) throws(ExtractionError) -> (chunks: [Chunk], textBytes: Int) {
        guard TokenEstimator.count(text, upTo: ExtractionLimits.maxTokens + 1) <= ExtractionLimits.maxTokens else {
            throw .invalid("\(filename) holds more than \(ExtractionLimits.grouped(ExtractionLimits.maxTokens)) tokens, the limit for one file.")
        }
        return (chunker.chunks(of: text), text.utf8.count)
    }

    static func checkTextSize(_ bytes: Int, filename: String) throws(ExtractionError) {
        guard bytes <= ExtractionLimits.maxTextBytes else {
            throw .invalid("\(filename) holds more than \(ExtractionLimits.mebibytes(ExtractionLimits.maxTextBytes)) of text, the limit for one file.")
        }
    }

    /// Decodes UTF-8 (or UTF-16 with a byte order mark). NUL bytes mean a binary file under a text name.
    /// More bytes than `maxTextBytes` are refused before decoding.
    static func decode(_ data: Data, filename: String) throws(ExtractionError) -> String {
        try checkTextSize(data.count, filename: filename)
        let text: String?
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
            text = String(data: data, encoding: .utf16)
        } else {
            let body = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
            text = body.contains(0) ? nil : String(validating: body, as: UTF8.self)
        }
        guard let text else { throw .invalid("\(filename) is not valid UTF-8 text.") }
        return text
    }
}

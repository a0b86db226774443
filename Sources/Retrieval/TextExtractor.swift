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

    public static func extract(_ data: Data, filename: String) throws(ExtractionError) -> String {
        let ext = (filename as NSString).pathExtension.lowercased()
        switch ext {
        case "html", "htm", "xhtml": return HTMLText.text(of: try decode(data, filename: filename))
        case "json": return try JSONText.text(of: data, filename: filename)
        case "docx": return try DocxText.text(of: data, filename: filename)
        case "pdf": return try PDFText.text(of: data, filename: filename)
        case _ where plainTextExtensions.contains(ext): return try decode(data, filename: filename)
        default: throw .unsupported("Files of type '\(ext.isEmpty ? filename : "." + ext)' are not supported for file_search.")
        }
    }

    /// Decodes UTF-8 (or UTF-16 with a byte order mark). NUL bytes mean a binary file under a text name.
    static func decode(_ data: Data, filename: String) throws(ExtractionError) -> String {
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

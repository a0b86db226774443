import Foundation
import ZIPFoundation

/// The body text of a Word document: the ZIP's `word/document.xml`, one paragraph per `w:p`.
enum DocxText {
    static func text(of data: Data, filename: String) throws(ExtractionError) -> String {
        try text(archiveSize: data.count, filename: filename) { try Archive(data: data, accessMode: .read) }
    }

    /// Reads the file's entries where they are, without loading the archive into memory.
    static func text(ofFileAt url: URL, filename: String) throws(ExtractionError) -> String {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        return try text(archiveSize: size, filename: filename) { try Archive(url: url, accessMode: .read) }
    }

    private static func text(archiveSize: Int, filename: String, open: () throws -> Archive) throws(ExtractionError) -> String {
        let xml: Data
        do {
            let archive = try open()
            guard let entry = archive["word/document.xml"] else {
                throw ExtractionError.invalid("\(filename) has no word/document.xml.")
            }
            xml = try inflate(entry, of: archive, archiveSize: archiveSize, filename: filename)
        } catch let error as ExtractionError {
            throw error
        } catch {
            throw .invalid("\(filename) is not a readable .docx (ZIP) file.")
        }
        return paragraphs(of: try TextExtractor.decode(xml, filename: filename))
    }

    /// The entry's bytes, inflated within `ExtractionLimits`: the bytes are counted as they come out, and
    /// inflating stops at the first one over a bound. The sizes the entry declares are not trusted; its
    /// compressed size only bounds the ratio, and never above what the archive holds.
    static func inflate(_ entry: Entry, of archive: Archive, archiveSize: Int, filename: String) throws -> Data {
        let compressed = max(1, min(Int(clamping: entry.compressedSize), archiveSize))
        let ratioBound = max(ExtractionLimits.ratioFloorBytes, compressed.multipliedReportingOverflow(by: ExtractionLimits.maxCompressionRatio).partialValue)
        var buffer = Data()
        _ = try archive.extract(entry, skipCRC32: false) { chunk in
            let total = buffer.count + chunk.count
            if total > ExtractionLimits.maxUnpackedBytes {
                throw ExtractionError.invalid(
                    "\(filename) unpacks to more than \(ExtractionLimits.mebibytes(ExtractionLimits.maxUnpackedBytes)), the limit for a .docx file.")
            }
            if total > ratioBound {
                throw ExtractionError.invalid(
                    "\(filename) unpacks to more than \(ExtractionLimits.maxCompressionRatio) times its compressed size, the limit for a .docx file.")
            }
            buffer.append(chunk)
        }
        return buffer
    }

    /// Keeps the text of `w:t` runs; tabs and breaks become whitespace, paragraphs blank lines.
    static func paragraphs(of xml: String) -> String {
        var out = ""
        var inText = false
        Markup.scan(xml) { text in
            if inText { out += Markup.decodeEntities(text) }
        } onTag: { tag in
            switch (tag.name, tag.isClosing) {
            case ("w:t", false): inText = !tag.isSelfClosing
            case ("w:t", true): inText = false
            case ("w:tab", false): out += "\t"
            case ("w:br", false), ("w:cr", false): out += "\n"
            case ("w:p", true): out += "\n\n"
            default: break
            }
            return nil
        }
        return HTMLText.normalizeWhitespace(out)
    }
}

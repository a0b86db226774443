import Foundation
import ZIPFoundation

/// The body text of a Word document: the ZIP's `word/document.xml`, one paragraph per `w:p`.
enum DocxText {
    static func text(of data: Data, filename: String) throws(ExtractionError) -> String {
        let xml: Data
        do {
            let archive = try Archive(data: data, accessMode: .read)
            guard let entry = archive["word/document.xml"] else {
                throw ExtractionError.invalid("\(filename) has no word/document.xml.")
            }
            var buffer = Data()
            _ = try archive.extract(entry) { buffer.append($0) }
            xml = buffer
        } catch let error as ExtractionError {
            throw error
        } catch {
            throw .invalid("\(filename) is not a readable .docx (ZIP) file.")
        }
        return paragraphs(of: try TextExtractor.decode(xml, filename: filename))
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

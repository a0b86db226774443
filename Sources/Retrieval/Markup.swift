import Foundation

/// Helpers shared by the HTML and DOCX readers, which both scan tags rather than build a DOM:
/// all either needs is the text between tags.
enum Markup {
    /// A tag found by `scan`: its lowercased name (without `/`), whether it closes, and the raw tag text.
    struct Tag {
        var name: Substring
        var isClosing: Bool
        var isSelfClosing: Bool
    }

    /// Calls `onText` for each run of text between tags and `onTag` for each tag; comments,
    /// doctypes and processing instructions are skipped. `onTag` returns a tag name whose closing
    /// tag ends a raw-text section to skip (HTML script and style), or nil.
    static func scan(_ source: String, onText: (Substring) -> Void, onTag: (Tag) -> Substring?) {
        var rest = source[...]
        while let open = rest.firstIndex(of: "<") {
            onText(rest[..<open])
            let tail = rest[open...]
            if tail.hasPrefix("<!--") {
                rest = tail.range(of: "-->").map { tail[$0.upperBound...] } ?? ""
                continue
            }
            guard let close = tail.firstIndex(of: ">") else { rest = ""; break }
            let inner = tail[tail.index(after: open)..<close]
            rest = tail[tail.index(after: close)...]
            if inner.hasPrefix("!") || inner.hasPrefix("?") { continue }
            let isClosing = inner.hasPrefix("/")
            let body = isClosing ? inner.dropFirst() : inner
            let name = body.prefix { !$0.isWhitespace && $0 != "/" && $0 != ">" }
            let tag = Tag(name: Substring(name.lowercased()), isClosing: isClosing, isSelfClosing: inner.hasSuffix("/"))
            if let raw = onTag(tag) {
                // Skip to the closing tag of a raw-text element, whatever it contains.
                let end = rest.range(of: "</" + raw, options: .caseInsensitive)
                rest = end.map { r in rest[r.upperBound...].firstIndex(of: ">").map { rest[rest.index(after: $0)...] } ?? "" } ?? ""
            }
        }
        onText(rest)
    }

    static let namedEntities: [Substring: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–", "mdash": "—",
        "hellip": "…", "copy": "©", "reg": "®", "trade": "™", "lsquo": "‘", "rsquo": "’", "ldquo": "“",
        "rdquo": "”", "laquo": "«", "raquo": "»", "bull": "•", "middot": "·", "deg": "°", "euro": "€",
        "pound": "£", "yen": "¥", "cent": "¢", "sect": "§", "para": "¶", "times": "×", "divide": "÷",
        "eacute": "é", "egrave": "è", "agrave": "à", "uuml": "ü", "ouml": "ö", "auml": "ä", "szlig": "ß",
        "ccedil": "ç", "ntilde": "ñ", "shy": "",
    ]

    /// Decodes named (common set), decimal and hex character references; unknown ones stay as written.
    static func decodeEntities(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(32).firstIndex(of: ";"), let decoded = entity(after[..<semi]) {
                out += decoded
                rest = after[after.index(after: semi)...]
            } else {
                out += "&"
                rest = after
            }
        }
        return out + rest
    }

    private static func entity(_ name: Substring) -> String? {
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
        return namedEntities[name]
    }
}

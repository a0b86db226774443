/// Visible text of an HTML page: tags dropped, script/style contents skipped, entities decoded,
/// and block elements turned into line breaks so paragraphs survive for the chunker.
enum HTMLText {
    static let rawTextElements: Set<Substring> = ["script", "style", "noscript", "template", "svg", "head"]
    static let blockElements: Set<Substring> = [
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer", "h1", "h2",
        "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "dd", "dt", "title", "main", "nav", "aside", "figure",
    ]

    static func text(of html: String) -> String {
        var out = ""
        Markup.scan(html) { text in
            out += Markup.decodeEntities(text)
        } onTag: { tag in
            if blockElements.contains(tag.name) { out += "\n\n" }
            if tag.name == "td" || tag.name == "th" { out += " " }
            return !tag.isClosing && !tag.isSelfClosing && rawTextElements.contains(tag.name) ? tag.name : nil
        }
        return normalizeWhitespace(out)
    }

    /// Collapses runs of spaces within lines and keeps at most one blank line between paragraphs. One
    /// pass that only appends, so memory is the output's, not an array per line and word.
    static func normalizeWhitespace(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var newlines = 0
        var sawSpace = false
        for character in text {
            if character == "\n" {
                newlines += 1
            } else if character.isWhitespace {
                sawSpace = true
            } else {
                if !out.isEmpty {
                    if newlines >= 2 { out += "\n\n" } else if newlines == 1 { out += "\n" } else if sawSpace { out += " " }
                }
                out.append(character)
                newlines = 0
                sawSpace = false
            }
        }
        return out
    }
}

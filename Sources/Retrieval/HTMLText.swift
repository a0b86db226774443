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

    /// Collapses runs of spaces within lines and keeps at most one blank line between paragraphs.
    static func normalizeWhitespace(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ") }
            .split(separator: "", omittingEmptySubsequences: true)
            .map { $0.joined(separator: "\n") }
            .joined(separator: "\n\n")
    }
}

/// Turns user text into a safe FTS5 MATCH expression. Only word characters survive, each term is
/// a quoted string (so `NEAR`, `AND`, `*`, `:`, `^` and quotes are never syntax), and the terms are
/// OR-ed so BM25 ranks partial matches instead of requiring every word.
struct FTSQuery {
    /// The MATCH expression, e.g. `"vitamin" OR "deficiency"`.
    var expression: String
    /// How many terms were OR-ed: BM25 grows with it, so scores are normalised per term.
    var termCount: Int

    /// At most this many terms are kept, bounding a query's cost whatever its length.
    static let maxTerms = 32

    /// Function words that match nearly every chunk, the usual short English list (Lucene's
    /// English analyser). They add almost nothing to BM25 but a lot to the matches to rank.
    static let stopwords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no",
        "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
        "to", "was", "will", "with",
    ]

    /// nil when the text has no word at all: there is nothing to search for.
    init?(_ text: String) {
        var terms: [String] = []
        var seen: Set<String> = []
        for word in text.unicodeScalars.split(whereSeparator: { !TokenEstimator.isWordCharacter($0) }) {
            let term = String(String.UnicodeScalarView(word)).lowercased()
            if seen.insert(term).inserted { terms.append(term) }
        }
        let content = terms.filter { !Self.stopwords.contains($0) }
        let kept = (content.isEmpty ? terms : content).prefix(Self.maxTerms)
        guard !kept.isEmpty else { return nil }
        expression = kept.map { "\"\($0)\"" }.joined(separator: " OR ")
        termCount = kept.count
    }
}

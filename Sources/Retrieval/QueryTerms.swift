/// The words of user text worth searching for. Words are runs of word characters, so nothing in a
/// query is ever syntax; they are lowercased, deduplicated, and stripped of stopwords.
struct QueryTerms {
    /// In order of first appearance, e.g. `["vitamin", "deficiency"]`.
    var words: [String]

    /// At most this many words are kept, bounding a query's cost whatever its length.
    static let maxTerms = 32

    /// Function words that match nearly every chunk, the usual short English list (Lucene's
    /// English analyser). They add almost nothing to BM25 but a lot to the postings to score.
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
        words = Array((content.isEmpty ? terms : content).prefix(Self.maxTerms))
        guard !words.isEmpty else { return nil }
    }
}

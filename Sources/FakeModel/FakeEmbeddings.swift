import AssistantsAPI

/// Deterministic stand-in embeddings: a bag of hashed lowercase words, L2-normalised, so texts that
/// share words score a higher cosine similarity, as retrieval tests need.
enum FakeEmbeddings {
    static let dimensions = 64

    static func words(_ text: String) -> [Substring] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }
    }

    static func vector(_ text: String) -> [Double] {
        var vector = [Double](repeating: 0, count: dimensions)
        for word in words(text) {
            vector[Int(fnv1a(word) % UInt64(dimensions))] += 1
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm == 0 ? vector : vector.map { $0 / norm }
    }

    /// FNV-1a: stable across processes, unlike `Hasher`, so vectors are the same on every run.
    private static func fnv1a(_ word: Substring) -> UInt64 {
        word.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    /// OpenAI's embeddings response for `input` (a string or an array of strings); nil if it is neither.
    static func response(to body: JSONValue) -> JSONValue? {
        let inputs: [String]
        switch body["input"] {
        case .string(let text): inputs = [text]
        case .array(let items):
            let strings = items.compactMap(\.stringValue)
            guard strings.count == items.count else { return nil }
            inputs = strings
        default: return nil
        }
        let tokens = inputs.reduce(0) { $0 + words($1).count }
        return .object([
            "object": .string("list"),
            "data": .array(inputs.enumerated().map { index, text in
                .object(["object": .string("embedding"), "index": .integer(index), "embedding": .array(vector(text).map { .number($0) })])
            }),
            "model": body["model"] ?? .string("fake-embedding"),
            "usage": .object(["prompt_tokens": .integer(tokens), "total_tokens": .integer(tokens)]),
        ])
    }
}

import GRDB

/// Text to index terms with SQLite's own FTS5 tokenizers, so terms are what the FTS5 index had
/// used: Porter stemming so "treatments" finds "treatment"; remove_diacritics 2 so "cafe" finds "café".
enum Terms {
    static let tokenizer = FTS5TokenizerDescriptor(components: ["porter", "unicode61", "remove_diacritics", "2"])
    /// Longer tokens keep only their first bytes (whole scalars). Real words are far shorter; what is
    /// longer (a hash, base64, a text with no spaces) would otherwise make every chunk of it one huge term
    /// of its own, each held in the lexicon. Queries are cut the same way, so such a token still matches.
    static let maxTermBytes = 64

    /// Calls `body` with each term of `text`, in order. Tokenizers keep scratch state: use one per thread.
    static func forEach(in text: String, using tokenizer: any FTS5Tokenizer, _ body: (String) -> Void) throws {
        var text = text
        try text.withUTF8 { utf8 throws in
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return }
            try withoutActuallyEscaping(body) { body throws in
                var context = body
                let code = withUnsafeMutablePointer(to: &context) { context in
                    tokenizer.tokenize(
                        context: context, tokenization: .document,
                        pText: UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), nText: CInt(utf8.count)
                    ) { context, _, token, length, _, _ in
                        guard let context, let token else { return ResultCode.SQLITE_OK.rawValue }
                        let bytes = UnsafeRawBufferPointer(start: token, count: Int(length))
                        var count = bytes.count
                        if count > Terms.maxTermBytes {
                            count = Terms.maxTermBytes
                            while count > 0, bytes[count] & 0xC0 == 0x80 { count -= 1 }  // not inside a scalar
                        }
                        let term = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<count]), as: UTF8.self)
                        context.assumingMemoryBound(to: ((String) -> Void).self).pointee(term)
                        return ResultCode.SQLITE_OK.rawValue
                    }
                }
                guard code == ResultCode.SQLITE_OK.rawValue else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
            }
        }
    }

    /// The distinct terms of a query's words, in order.
    static func of(_ query: QueryTerms, using tokenizer: any FTS5Tokenizer) throws -> [String] {
        var terms: [String] = []
        try forEach(in: query.words.joined(separator: " "), using: tokenizer) { if !terms.contains($0) { terms.append($0) } }
        return terms
    }
}

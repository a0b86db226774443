/// A model-independent token count. Each run of letters or digits costs one token per started
/// four characters (BPE vocabularies hold common English words whole and split rarer ones into
/// pieces of about that size); every other non-space character costs one token; whitespace is free.
/// For English prose this gives about 1.3 tokens per word, close to OpenAI's cl100k/o200k counts.
public enum TokenEstimator {
    static let charactersPerPiece = 4

    public static func count(_ text: String) -> Int {
        pieces(Array(text.unicodeScalars)).count
    }

    /// What kind of gap precedes a piece: where a chunk may end, best first.
    enum Boundary: Int, Comparable {
        case none = 0, word, line, sentence, paragraph

        static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    /// One estimated token: a range of Unicode scalar offsets and the boundary before it.
    struct Piece {
        var start: Int
        var end: Int
        var boundary: Boundary
    }

    static func pieces(_ scalars: [Unicode.Scalar]) -> [Piece] {
        var pieces: [Piece] = []
        pieces.reserveCapacity(scalars.count / 3)
        var i = 0
        var newlines = 0
        var sawSpace = true  // the start of the text is a paragraph boundary
        var previousEndsSentence = false
        while i < scalars.count {
            let scalar = scalars[i]
            if scalar.isASCII ? scalar == " " || (scalar.value >= 9 && scalar.value <= 13) : scalar.properties.isWhitespace {
                sawSpace = true
                if scalar == "\n" { newlines += 1 }
                i += 1
                continue
            }
            var boundary: Boundary = .none
            if pieces.isEmpty || newlines >= 2 { boundary = .paragraph }
            else if newlines == 1 { boundary = previousEndsSentence ? .sentence : .line }
            else if sawSpace { boundary = previousEndsSentence ? .sentence : .word }
            if isWordCharacter(scalar) {
                var end = i + 1
                while end < scalars.count, isWordCharacter(scalars[end]) { end += 1 }
                var start = i
                while start < end {
                    let pieceEnd = min(start + charactersPerPiece, end)
                    pieces.append(Piece(start: start, end: pieceEnd, boundary: start == i ? boundary : .none))
                    start = pieceEnd
                }
                previousEndsSentence = false
                i = end
            } else {
                pieces.append(Piece(start: i, end: i + 1, boundary: boundary))
                previousEndsSentence = scalar == "." || scalar == "!" || scalar == "?"
                i += 1
            }
            newlines = 0
            sawSpace = false
        }
        return pieces
    }

    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let v = scalar.value
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
        }
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil
    }
}

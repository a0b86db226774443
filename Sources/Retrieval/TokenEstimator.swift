/// A model-independent token count. Each run of letters or digits costs one token per started
/// four characters (BPE vocabularies hold common English words whole and split rarer ones into
/// pieces of about that size); every other non-space character costs one token; whitespace is free.
/// For English prose this gives about 1.3 tokens per word, close to OpenAI's cl100k/o200k counts.
public enum TokenEstimator {
    static let charactersPerPiece = 4

    public static func count(_ text: String) -> Int {
        count(text, upTo: .max)
    }

    /// The count, or `limit` once it reaches it: counting a huge text past a limit is wasted work.
    /// Nothing is allocated, whatever the text's size.
    static func count(_ text: String, upTo limit: Int) -> Int {
        var pieces = Pieces(text)
        var count = 0
        while count < limit, pieces.next() != nil { count += 1 }
        return count
    }

    /// What kind of gap precedes a piece: where a chunk may end, best first.
    enum Boundary: Int, Comparable {
        case none = 0, word, line, sentence, paragraph

        static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    /// One estimated token: its Unicode scalar offsets and positions in the text, and the boundary before it.
    struct Piece {
        var start: Int
        var end: Int
        var startIndex: String.Index
        var endIndex: String.Index
        var boundary: Boundary
    }

    /// The pieces of a text in order, read as they are asked for: memory stays constant however long the
    /// text, and a run of letters with no space in it (a 50 MiB "word") is just many four-letter pieces.
    struct Pieces: IteratorProtocol {
        private let scalars: String.UnicodeScalarView
        private var index: String.Index
        private var offset = 0
        private var newlines = 0
        private var sawSpace = true
        private var isFirst = true  // the start of the text is a paragraph boundary
        private var previousEndsSentence = false
        /// The last piece cut a run of word characters that goes on: the next piece has no boundary.
        private var inWord = false

        init(_ text: String) {
            scalars = text.unicodeScalars
            index = scalars.startIndex
        }

        mutating func next() -> Piece? {
            if !inWord {
                while index < scalars.endIndex, TokenEstimator.isWhitespace(scalars[index]) {
                    sawSpace = true
                    if scalars[index] == "\n" { newlines += 1 }
                    advance()
                }
            }
            guard index < scalars.endIndex else { return nil }
            var boundary: Boundary = .none
            if !inWord {
                if isFirst || newlines >= 2 { boundary = .paragraph }
                else if newlines == 1 { boundary = previousEndsSentence ? .sentence : .line }
                else if sawSpace { boundary = previousEndsSentence ? .sentence : .word }
            }
            let (startIndex, start) = (index, offset)
            let scalar = scalars[index]
            if TokenEstimator.isWordCharacter(scalar) {
                var length = 0
                while length < TokenEstimator.charactersPerPiece, index < scalars.endIndex, TokenEstimator.isWordCharacter(scalars[index]) {
                    advance()
                    length += 1
                }
                inWord = index < scalars.endIndex && TokenEstimator.isWordCharacter(scalars[index])
                previousEndsSentence = false
            } else {
                advance()
                inWord = false
                previousEndsSentence = scalar == "." || scalar == "!" || scalar == "?"
            }
            isFirst = false
            newlines = 0
            sawSpace = false
            return Piece(start: start, end: offset, startIndex: startIndex, endIndex: index, boundary: boundary)
        }

        private mutating func advance() {
            scalars.formIndex(after: &index)
            offset += 1
        }
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? scalar == " " || (scalar.value >= 9 && scalar.value <= 13) : scalar.properties.isWhitespace
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

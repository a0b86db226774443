/// A span of extracted text to index. `start` and `end` are offsets in Unicode scalars into the
/// text that was chunked, so `String(String.UnicodeScalarView(scalars[start..<end])) == text`.
public struct Chunk: Sendable, Equatable {
    public var text: String
    public var start: Int
    public var end: Int
    /// The estimated token count (see `TokenEstimator`).
    public var tokenCount: Int

    public init(text: String, start: Int, end: Int, tokenCount: Int) {
        self.text = text
        self.start = start
        self.end = end
        self.tokenCount = tokenCount
    }
}

public enum ChunkingError: Error, Equatable, Sendable {
    case invalid(String)
}

/// OpenAI's chunking strategies: `static` with `max_chunk_size_tokens` in 100...4096 and
/// `chunk_overlap_tokens` at most half of it, and `auto` (800 and 400).
public struct Chunker: Sendable, Equatable {
    public let maxTokens: Int
    public let overlapTokens: Int

    public static let auto = Chunker(validMaxTokens: 800, overlapTokens: 400)

    public init(maxTokens: Int, overlapTokens: Int) throws(ChunkingError) {
        guard (100...4096).contains(maxTokens) else {
            throw .invalid("max_chunk_size_tokens must be between 100 and 4096, got \(maxTokens).")
        }
        guard overlapTokens >= 0, overlapTokens <= maxTokens / 2 else {
            throw .invalid("chunk_overlap_tokens must be between 0 and half of max_chunk_size_tokens, got \(overlapTokens).")
        }
        self.init(validMaxTokens: maxTokens, overlapTokens: overlapTokens)
    }

    private init(validMaxTokens: Int, overlapTokens: Int) {
        self.maxTokens = validMaxTokens
        self.overlapTokens = overlapTokens
    }

    /// Splits `text` into chunks of at most `maxTokens` estimated tokens. Each chunk ends at the best
    /// boundary (paragraph, then sentence, line, word) in the last half of its window, so cuts rarely
    /// fall mid-sentence; the next chunk starts about `overlapTokens` earlier, at a word boundary.
    /// The text is read a window at a time: besides the chunks, memory holds one window of pieces.
    public func chunks(of text: String) -> [Chunk] {
        var pieces = TokenEstimator.Pieces(text)
        // The pieces from the current chunk's first on: one window and the piece after it.
        var window: [TokenEstimator.Piece] = []
        window.reserveCapacity(maxTokens + 1)
        var chunks: [Chunk] = []
        while true {
            while window.count <= maxTokens, let piece = pieces.next() { window.append(piece) }
            guard !window.isEmpty else { break }
            let isLast = window.count <= maxTokens
            let end = isLast ? window.count : bestEnd(window, from: 0, limit: maxTokens)
            let first = window[0], last = window[end - 1]
            chunks.append(Chunk(
                text: String(text.unicodeScalars[first.startIndex..<last.endIndex]), start: first.start, end: last.end, tokenCount: end))
            if isLast { break }
            window.removeFirst(nextStart(window, after: 0, end: end))
        }
        return chunks
    }

    /// The piece index (exclusive) to end a chunk at: the latest strongest boundary in the window's
    /// second half, or the window's limit when there is no boundary at all (one giant word).
    private func bestEnd(_ pieces: [TokenEstimator.Piece], from first: Int, limit: Int) -> Int {
        var best = limit, bestBoundary = pieces[limit].boundary
        var index = limit - 1
        while index > first + maxTokens / 2, bestBoundary < .paragraph {
            if pieces[index].boundary > bestBoundary { best = index; bestBoundary = pieces[index].boundary }
            index -= 1
        }
        return best
    }

    /// Backs up `overlapTokens` from the end, then forward to the next word boundary; always moves on.
    private func nextStart(_ pieces: [TokenEstimator.Piece], after first: Int, end: Int) -> Int {
        guard overlapTokens > 0 else { return end }
        var start = max(end - overlapTokens, first + 1)
        while start < end, pieces[start].boundary == .none { start += 1 }
        return start
    }
}

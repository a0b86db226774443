import Foundation
import Testing
@testable import Retrieval

@Suite struct ChunkerTests {
    /// Paragraphs of numbered sentences, so every chunk boundary and overlap is checkable.
    static let text = (1...40).map { p in
        (1...6).map { s in "Paragraph \(p) sentence \(s) talks about retrieval and chunking." }.joined(separator: " ")
    }.joined(separator: "\n\n")

    func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }

    @Test func estimator() {
        #expect(TokenEstimator.count("") == 0)
        #expect(TokenEstimator.count("the cat sat.") == 4)
        #expect(TokenEstimator.count("internationalization") == 5)  // 20 letters: five 4-letter pieces
        #expect(TokenEstimator.count("a, b") == 3)
    }

    @Test func validation() throws {
        #expect(throws: ChunkingError.self) { try Chunker(maxTokens: 99, overlapTokens: 0) }
        #expect(throws: ChunkingError.self) { try Chunker(maxTokens: 4097, overlapTokens: 0) }
        #expect(throws: ChunkingError.self) { try Chunker(maxTokens: 200, overlapTokens: 101) }
        #expect(try Chunker(maxTokens: 200, overlapTokens: 100).maxTokens == 200)
        #expect(Chunker.auto == (try Chunker(maxTokens: 800, overlapTokens: 400)))
    }

    @Test func offsetsSizesAndOverlap() throws {
        let chunker = try Chunker(maxTokens: 100, overlapTokens: 30)
        let chunks = chunker.chunks(of: Self.text)
        let all = scalars(Self.text)
        #expect(chunks.count > 10)
        #expect(chunks.first?.start == 0)
        #expect(chunks.last?.end == all.count)
        for chunk in chunks {
            #expect(String(String.UnicodeScalarView(all[chunk.start..<chunk.end])) == chunk.text)
            #expect(chunk.tokenCount <= 100)
            #expect(TokenEstimator.count(chunk.text) == chunk.tokenCount)
        }
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            #expect(b.start > a.start && b.start < a.end)  // moves on, and overlaps
            let overlap = TokenEstimator.count(String(String.UnicodeScalarView(all[b.start..<a.end])))
            #expect((25...30).contains(overlap))
        }
    }

    @Test func endsAtSentenceOrParagraph() throws {
        let chunks = try Chunker(maxTokens: 100, overlapTokens: 0).chunks(of: Self.text)
        for chunk in chunks.dropLast() { #expect(chunk.text.hasSuffix(".")) }
        for (a, b) in zip(chunks, chunks.dropFirst()) { #expect(b.start > a.end) }  // no overlap: only whitespace between
    }

    @Test func noOverlapCoversEverything() throws {
        let chunks = try Chunker(maxTokens: 100, overlapTokens: 0).chunks(of: Self.text)
        let joined = chunks.map(\.text).joined(separator: " ")
        #expect(joined.split(whereSeparator: \.isWhitespace) == Self.text.split(whereSeparator: \.isWhitespace))
    }

    @Test func hugeWordAndEdgeCases() throws {
        let chunker = try Chunker(maxTokens: 100, overlapTokens: 10)
        #expect(chunker.chunks(of: "").isEmpty)
        #expect(chunker.chunks(of: " \n\n ").isEmpty)
        let short = chunker.chunks(of: "  Just one chunk.  ")
        #expect(short == [Chunk(text: "Just one chunk.", start: 2, end: 17, tokenCount: 5)])  // "chunk" is two 4-letter pieces
        let word = String(repeating: "x", count: 1000)  // 250 pieces with no boundary
        let chunks = chunker.chunks(of: word)
        #expect(chunks.first?.tokenCount == 100)
        #expect(chunks.last?.end == 1000)
        let emoji = chunker.chunks(of: "café 👩‍💻 naïve")
        #expect(emoji.first?.text == "café 👩‍💻 naïve")
    }

    @Test func autoKeepsAnAbstractWhole() {
        let abstract = String(repeating: "Vitamin D deficiency is common in adults. ", count: 60)
        let chunks = Chunker.auto.chunks(of: abstract)
        #expect(chunks.count == 1)
    }
}

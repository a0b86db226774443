import GRDB

/// One store's inverted index in memory: for each term, the chunks holding it and how often.
/// Built from the stored chunks on the store's first search and kept in step with every write after,
/// so BM25 reads only the postings of the query's terms (FTS5 scored every chunk matching any of
/// them). Copies are cheap (the arrays are shared until written), so a search takes a snapshot
/// and scores it without holding any lock.
///
/// Chunks are numbered by slot in the order they were added. A removed chunk's slot is not reused
/// (its postings go, its chunk id becomes 0); loading the store again compacts.
struct Lexicon: Sendable {
    /// A chunk's terms, in text order, as `Terms` reads them.
    struct Document: Sendable {
        var chunkID: Int64
        var fileID: String
        var terms: [String]
    }

    /// A term's chunks by ascending slot. Frequencies saturate at 255, where BM25's term-frequency
    /// factor is flat (255 and 1,000 differ by 0.4%); a byte instead of four keeps postings at 5 bytes.
    struct Postings {
        var slots: [UInt32] = []
        var frequencies: [UInt8] = []
    }

    private var termIDs: [String: Int32] = [:]
    private var postings: [Postings] = []
    /// Per slot: the chunk id (0 once removed), its length in terms, and its file's number.
    private var chunkIDs: [Int64] = []
    private var lengths: [UInt32] = []
    private var files: [Int32] = []
    private var fileNumbers: [String: Int32] = [:]
    /// Live chunks and their total length: BM25's collection statistics.
    private(set) var chunkCount = 0
    private(set) var totalLength = 0

    /// Stored chunks as documents to add.
    static func documents(_ chunks: [StoredChunk]) throws -> [Document] {
        try Tokenizers.shared.with { tokenizer in
            try chunks.map { try document(chunkID: $0.id, fileID: $0.fileID, text: $0.text, using: tokenizer) }
        }
    }

    static func document(chunkID: Int64, fileID: String, text: String, using tokenizer: any FTS5Tokenizer) throws -> Document {
        var terms: [String] = []
        try Terms.forEach(in: text, using: tokenizer) { terms.append($0) }
        return Document(chunkID: chunkID, fileID: fileID, terms: terms)
    }

    mutating func add(_ document: Document) {
        let slot = UInt32(chunkIDs.count)
        var ids = document.terms.map { termID($0) }
        ids.sort()
        var start = 0
        while start < ids.count {
            var end = start + 1
            while end < ids.count, ids[end] == ids[start] { end += 1 }
            postings[Int(ids[start])].slots.append(slot)
            postings[Int(ids[start])].frequencies.append(UInt8(min(end - start, 255)))
            start = end
        }
        chunkIDs.append(document.chunkID)
        lengths.append(UInt32(ids.count))
        files.append(fileNumber(document.fileID))
        chunkCount += 1
        totalLength += ids.count
    }

    /// Applies one committed change: the files' chunks out, the new documents in.
    mutating func apply(removing files: Set<String>, adding documents: [Document]) {
        remove(files: files)
        for document in documents { add(document) }
    }

    /// Drops every chunk of these files. One pass over all postings, so batch the files.
    mutating func remove(files removed: Set<String>) {
        let numbers = Set(removed.compactMap { fileNumbers[$0] })
        guard !numbers.isEmpty else { return }
        var gone = [Bool](repeating: false, count: chunkIDs.count)
        for slot in chunkIDs.indices where chunkIDs[slot] != 0 && numbers.contains(files[slot]) {
            gone[slot] = true
            chunkIDs[slot] = 0
            chunkCount -= 1
            totalLength -= Int(lengths[slot])
        }
        guard gone.contains(true) else { return }
        for term in postings.indices where postings[term].slots.contains(where: { gone[Int($0)] }) {
            let old = postings[term]
            let kept = old.slots.indices.filter { !gone[Int(old.slots[$0])] }
            postings[term] = Postings(slots: kept.map { old.slots[$0] }, frequencies: kept.map { old.frequencies[$0] })
        }
    }

    /// How many live chunks hold each term.
    func documentFrequencies(_ terms: [String]) -> [Int] {
        terms.map { term in termIDs[term].map { postings[Int($0)].slots.count } ?? 0 }
    }

    /// The `limit` best chunks by BM25 (ids and raw scores), best first, among `fileIDs` when given.
    /// Exhaustive over the terms' postings, term by term into one score per slot: exact, and at
    /// 100,000 chunks a few milliseconds, so no early termination is needed.
    func best(_ terms: [String], scoring bm25: BM25, fileIDs: Set<String>?, limit: Int) -> [(id: Int64, score: Double)] {
        var scores = [Double](repeating: 0, count: chunkIDs.count)
        for (term, idf) in zip(terms, bm25.idf) {
            guard let id = termIDs[term] else { continue }
            let list = postings[Int(id)]
            for (slot, frequency) in zip(list.slots, list.frequencies) {
                scores[Int(slot)] += bm25.score(idf: idf, frequency: Double(frequency), length: Double(lengths[Int(slot)]))
            }
        }
        let allowed = fileIDs.map { Set($0.compactMap { fileNumbers[$0] }) }
        var top = TopK<Double>(limit: limit)
        for slot in scores.indices where scores[slot] > 0 {
            guard top.admits(chunkIDs[slot], scores[slot]), allowed?.contains(files[slot]) ?? true else { continue }
            top.insert(chunkIDs[slot], scores[slot])
        }
        return top.best
    }

    private mutating func termID(_ term: String) -> Int32 {
        if let id = termIDs[term] { return id }
        let id = Int32(postings.count)
        termIDs[term] = id
        postings.append(Postings())
        return id
    }

    private mutating func fileNumber(_ fileID: String) -> Int32 {
        if let number = fileNumbers[fileID] { return number }
        let number = Int32(fileNumbers.count)
        fileNumbers[fileID] = number
        return number
    }
}


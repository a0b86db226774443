// `swift run -c release retrieval-benchmarks <path to BEIR scifact>`: retrieval quality on BEIR SciFact
// (BM25 through the real chunker and index) and ingestion and search speed on 100,000 chunks.
import Foundation
import Retrieval

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: retrieval-benchmarks <path to BEIR scifact directory>\n".utf8))
    exit(2)
}
let dataset = URL(fileURLWithPath: CommandLine.arguments[1])

struct Document: Decodable { var _id: String; var title: String; var text: String }
struct Query: Decodable { var _id: String; var text: String }

func jsonLines<T: Decodable>(_ name: String) throws -> [T] {
    let text = try String(contentsOf: dataset.appendingPathComponent(name), encoding: .utf8)
    return try text.split(whereSeparator: \.isNewline).map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func temporaryIndex(_ name: String) throws -> (SearchIndex, String) {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).sqlite").path
    return (try SearchIndex(path: path), path)
}

func removeDatabase(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

/// Deterministic stand-in embeddings: a signed, hashed bag of words in 64 dimensions. They carry
/// no meaning worth ranking by; they exist to measure the cost of the dense path.
func fakeEmbedding(_ text: String) -> [Float] {
    var vector = [Float](repeating: 0, count: 64)
    for word in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in word.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        vector[Int(hash % 64)] += hash & (1 << 40) == 0 ? 1 : -1
    }
    return vector
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

let documents: [Document] = try jsonLines("corpus.jsonl")
let queries = Dictionary(uniqueKeysWithValues: (try jsonLines("queries.jsonl") as [Query]).map { ($0._id, $0.text) })
var judgments: [String: [String: Int]] = [:]
for line in try String(contentsOf: dataset.appendingPathComponent("qrels/test.tsv"), encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst() {
    let fields = line.split(separator: "\t").map(String.init)
    if fields.count == 3, let score = Int(fields[2]), score > 0 { judgments[fields[0], default: [:]][fields[1]] = score }
}

// MARK: - Quality: SciFact, BM25 only, the `auto` strategy (800/400: nearly every abstract is one chunk)

let (scifact, scifactPath) = try temporaryIndex("scifact")
var ingestedBytes = 0
var ingestTime = Duration.zero
let clock = ContinuousClock()
for document in documents {
    let text = document.title + "\n\n" + document.text
    ingestedBytes += text.utf8.count
    ingestTime += try clock.measure {
        try scifact.add(storeID: "scifact", fileID: document._id, filename: document._id, chunks: Chunker.auto.chunks(of: text))
    }
}

let chunkerTime = clock.measure {
    for document in documents { _ = Chunker.auto.chunks(of: document.title + "\n\n" + document.text) }
}

var ndcgSum = 0.0, recallSum = 0.0
for (queryID, relevant) in judgments {
    // A document scores as its best chunk; chunks come best first, so the first seen is the best.
    var ranked: [String] = []
    for hit in try scifact.search(storeIDs: ["scifact"], query: queries[queryID]!, limit: 100) where !ranked.contains(hit.fileID) {
        ranked.append(hit.fileID)
    }
    let dcg = ranked.prefix(10).enumerated().reduce(0.0) { $0 + Double(relevant[$1.element] ?? 0) / log2(Double($1.offset + 2)) }
    let ideal = relevant.values.sorted(by: >).prefix(10).enumerated().reduce(0.0) { $0 + Double($1.element) / log2(Double($1.offset + 2)) }
    ndcgSum += dcg / ideal
    recallSum += Double(ranked.prefix(20).filter { relevant[$0] != nil }.count) / Double(relevant.count)
}
removeDatabase(scifactPath)
let ndcg = ndcgSum / Double(judgments.count), recall = recallSum / Double(judgments.count)

// MARK: - Speed: 100,000 chunks of perturbed SciFact text, with fake embeddings

let targetChunks = 100_000
let vocabulary = Array(Set(documents.flatMap { $0.text.split(separator: " ") }))
/// Copy `copy` of a document with about one word in ten swapped for a vocabulary word, so copies
/// differ in their terms as distinct documents do.
func perturbed(_ text: String, copy: Int) -> String {
    guard copy > 0 else { return text }
    return text.split(separator: " ").enumerated().map { index, word in
        var hash = UInt64(copy &* 1_000_003 &+ index) &* 0x9E37_79B9_7F4A_7C15
        hash ^= hash >> 29
        return hash % 10 == 0 ? vocabulary[Int(hash / 10 % UInt64(vocabulary.count))] : word
    }.joined(separator: " ")
}

let (big, bigPath) = try temporaryIndex("retrieval-100k")
var bigChunks = 0, bigBytes = 0, bigTime = Duration.zero
var copy = 0
fill: while true {
    for document in documents {
        let text = perturbed(document.title + "\n\n" + document.text, copy: copy)
        var chunks: [Chunk] = []
        bigTime += clock.measure { chunks = Chunker.auto.chunks(of: text) }
        let embeddings = chunks.map { fakeEmbedding($0.text) }  // not timed: a real server gets these from a model
        bigTime += try clock.measure {
            try big.add(storeID: "big", fileID: "\(document._id)-\(copy)", filename: document._id, chunks: chunks, embeddings: embeddings)
        }
        bigBytes += text.utf8.count
        bigChunks += chunks.count
        if bigChunks >= targetChunks { break fill }
    }
    copy += 1
}

func latencies(hybrid: Bool, count: Int) throws -> (p50: Double, p99: Double) {
    let texts = Array(queries.values).sorted()
    var samples: [Double] = []
    for index in 0..<(count + 50) {
        let text = texts[index % texts.count]
        let embedding = hybrid ? fakeEmbedding(text) : nil
        let time = try clock.measure {
            _ = try big.search(storeIDs: ["big"], query: text, queryEmbedding: embedding, limit: 20)
        }
        if index >= 50 { samples.append(seconds(time) * 1000) }  // the first 50 warm the caches
    }
    samples.sort()
    return (percentile(samples, 0.5), percentile(samples, 0.99))
}
let lexical = try latencies(hybrid: false, count: 1000)
let hybrid = try latencies(hybrid: true, count: 1000)
removeDatabase(bigPath)

func f(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }
let scifactMBps = Double(ingestedBytes) / 1e6 / seconds(ingestTime)
let bigMBps = Double(bigBytes) / 1e6 / seconds(bigTime)
print("""
    | Measure | Result | Target |
    | --- | --- | --- |
    | SciFact nDCG@10 (BM25, \(judgments.count) test queries, auto 800/400 chunks) | \(f(ndcg)) | ≥ 0.665 (BEIR BM25) |
    | SciFact recall@20 | \(f(recall)) | |
    | Ingestion, SciFact (\(documents.count) docs, \(f(Double(ingestedBytes) / 1e6, 1)) MB, chunker + index) | \(f(scifactMBps, 1)) MB/s | ≥ 5 MB/s |
    | Chunker alone, SciFact | \(f(Double(ingestedBytes) / 1e6 / seconds(chunkerTime), 1)) MB/s | |
    | Ingestion, \(bigChunks) chunks (\(f(Double(bigBytes) / 1e6, 1)) MB, + 64-dim embeddings stored) | \(f(bigMBps, 1)) MB/s | ≥ 5 MB/s |
    | Search p50 / p99, BM25, \(bigChunks) chunks, top 20 | \(f(lexical.p50, 2)) / \(f(lexical.p99, 2)) ms | ≤ 10 / ≤ 50 ms |
    | Search p50 / p99, hybrid (BM25 + 64-dim brute force, RRF) | \(f(hybrid.p50, 2)) / \(f(hybrid.p99, 2)) ms | ≤ 10 / ≤ 50 ms |
    """)

// `swift run -c release retrieval-benchmarks <path to BEIR scifact>`: retrieval quality on BEIR SciFact
// (BM25 through the real extractor, chunker and index), ingestion speed, and search speed and memory
// on a store of 100,000 chunks. With `--embeddings-url` (an OpenAI-compatible endpoint, e.g.
// benchmarks/embeddings-server), SciFact is also embedded and hybrid and dense-only quality measured.
// With `--database-url postgres://...` the chunks live in PostgreSQL (`PostgresChunkStorage`, each index in
// a schema of its own, left behind: use a throwaway database, as `scripts/postgres-for-tests` gives) instead
// of temporary SQLite files.
import Foundation
import Logging
import ModelProviders
import PostgresStore
import Retrieval

let usage = """
    usage: retrieval-benchmarks <path to BEIR scifact directory> [--embeddings-url URL [--embeddings-model NAME]]
                                [--database-url postgres://user@host:port/database]

    """
var positional: [String] = []
var options: [String: String] = [:]
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    if ["--embeddings-url", "--embeddings-model", "--database-url"].contains(argument), let value = arguments.popFirst() {
        options[argument] = value
    } else if argument.hasPrefix("--") {
        positional = []
        break
    } else {
        positional.append(argument)
    }
}
guard positional.count == 1, options["--embeddings-model"] == nil || options["--embeddings-url"] != nil else {
    FileHandle.standardError.write(Data(usage.utf8))
    exit(2)
}
let dataset = URL(fileURLWithPath: positional[0])
/// The embeddings endpoint's base URL, as the server's `--upstream-url`: e.g. `http://127.0.0.1:8089/v1`.
let embeddingsURL = options["--embeddings-url"]
let embeddingModel = options["--embeddings-model"] ?? "all-MiniLM-L6-v2"
let databaseURL = options["--database-url"]

struct Document: Decodable { var _id: String; var title: String; var text: String }
struct Query: Decodable { var _id: String; var text: String }

func jsonLines<T: Decodable>(_ name: String) throws -> [T] {
    let text = try String(contentsOf: dataset.appendingPathComponent(name), encoding: .utf8)
    return try text.split(whereSeparator: \.isNewline).map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// An index on storage of its own, a way to open a second index on that storage (as after a restart, or on
/// another node), and to remove the storage.
struct TemporaryIndex {
    var index: SearchIndex
    var reopen: () async throws -> SearchIndex
    var remove: () async -> Void
}

/// A temporary SQLite file, or with `--database-url` a new PostgreSQL schema.
func temporaryIndex(_ name: String) async throws -> TemporaryIndex {
    guard let databaseURL else {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).sqlite").path
        return TemporaryIndex(index: try SearchIndex(path: path), reopen: { try SearchIndex(path: path) }) {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }
    var configuration = try PostgresStore.Configuration(url: databaseURL)
    configuration.schema = "benchmark_" + name.replacingOccurrences(of: "-", with: "_") + "_" + String(UInt32.random(in: 0...UInt32.max))
    let logger = Logger(label: "retrieval-benchmarks")
    let store = try await PostgresStore(configuration: configuration, logger: logger)
    let opened = OpenedStores(first: store)
    return TemporaryIndex(index: SearchIndex(storage: store.makeChunkStorage()), reopen: {
        let other = try await PostgresStore(configuration: configuration, logger: logger)
        opened.stores.append(other)
        return SearchIndex(storage: other.makeChunkStorage())
    }) {
        for store in opened.stores { await store.close() }
    }
}

/// The PostgreSQL stores (pools) a temporary index opened, to close with it.
final class OpenedStores: @unchecked Sendable {
    var stores: [PostgresStore]
    init(first: PostgresStore) { stores = [first] }
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

let clock = ContinuousClock()

struct Ingestion {
    var bytes = 0, chunks = 0, time = Duration.zero
    var megabytesPerSecond: Double { Double(bytes) / 1e6 / seconds(time) }
}

/// Extracts, chunks and indexes `files` as plain-text uploads, `batchSize` files per `add` (a file
/// batch). Embeddings are not timed: a server gets them from a model.
func ingest(_ files: [(id: String, text: String)], into index: SearchIndex, store: String, batchSize: Int = 100,
            embedded: Bool = false, _ before: Ingestion) async throws -> Ingestion {
    var totals = before
    for start in stride(from: 0, to: files.count, by: batchSize) {
        var batch: [IndexedFile] = []
        for (id, text) in files[start..<min(start + batchSize, files.count)] {
            let data = Data(text.utf8)
            var chunks: [Chunk] = []
            totals.time += try clock.measure { chunks = Chunker.auto.chunks(of: try TextExtractor.extract(data, filename: id + ".txt")) }
            batch.append(IndexedFile(fileID: id, filename: id + ".txt", chunks: chunks, embeddings: embedded ? chunks.map { fakeEmbedding($0.text) } : nil))
            totals.bytes += data.count
            totals.chunks += chunks.count
        }
        let start = clock.now
        try await index.add(storeID: store, files: batch)
        totals.time += clock.now - start
    }
    return totals
}

/// The resident set size in MB (Linux), to see what a store's in-memory index costs.
func residentMegabytes() -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = Double(line.split(separator: " ")[1]) else { return nil }
    return kilobytes / 1000
}

// MARK: - Quality: SciFact, BM25 only, the `auto` strategy (800/400: nearly every abstract is one chunk)

let scifactFiles = documents.map { (id: $0._id, text: $0.title + "\n\n" + $0.text) }
/// Searched once while empty, so its lexicon is loaded and every `add` below keeps it up to date.
func emptyIndex(_ name: String, stores: [String]) async throws -> TemporaryIndex {
    let temporary = try await temporaryIndex(name)
    _ = try await temporary.index.search(storeIDs: stores, query: "warm up", limit: 1)
    return temporary
}

let scifactIndex = try await emptyIndex("scifact", stores: ["scifact"])
let scifact = scifactIndex.index
var batched = Ingestion()
batched = try await ingest(scifactFiles, into: scifact, store: "scifact", batched)
let single = try await emptyIndex("scifact-single", stores: ["scifact"])
var oneByOne = Ingestion()
oneByOne = try await ingest(scifactFiles, into: single.index, store: "scifact", batchSize: 1, oneByOne)
await single.remove()

let chunkerTime = clock.measure {
    for file in scifactFiles { _ = Chunker.auto.chunks(of: file.text) }
}

/// Mean nDCG@10 and recall@20 over the judged queries, given what `search` finds for a query id.
@MainActor func quality(_ search: (String) async throws -> [SearchHit]) async rethrows -> (ndcg: Double, recall: Double) {
    var ndcgSum = 0.0, recallSum = 0.0
    for (queryID, relevant) in judgments {
        // A document scores as its best chunk; chunks come best first, so the first seen is the best.
        var ranked: [String] = []
        for hit in try await search(queryID) where !ranked.contains(hit.fileID) {
            ranked.append(hit.fileID)
        }
        let dcg = ranked.prefix(10).enumerated().reduce(0.0) { $0 + Double(relevant[$1.element] ?? 0) / log2(Double($1.offset + 2)) }
        let ideal = relevant.values.sorted(by: >).prefix(10).enumerated().reduce(0.0) { $0 + Double($1.element) / log2(Double($1.offset + 2)) }
        ndcgSum += dcg / ideal
        recallSum += Double(ranked.prefix(20).filter { relevant[$0] != nil }.count) / Double(relevant.count)
    }
    return (ndcgSum / Double(judgments.count), recallSum / Double(judgments.count))
}
let (ndcg, recall) = try await quality { try await scifact.search(storeIDs: ["scifact"], query: queries[$0]!, limit: 100) }
await scifactIndex.remove()

// MARK: - Quality with real embeddings (--embeddings-url): hybrid and dense only, the same chunks

/// What the endpoint's embeddings make of SciFact, and what embedding it cost.
struct DenseQuality {
    var hybrid: (ndcg: Double, recall: Double)
    var dense: (ndcg: Double, recall: Double)
    var chunks: Int, dimensions: Int, embeddingTime: Duration
}

/// Embeds every chunk and judged query through the server's own client (`OpenAICompatibleProvider`,
/// requests of 64 texts), indexes the chunks with their vectors as ingestion does, and searches with
/// the query's vector: hybrid with the query's words, dense only without (no words, no BM25 ranking).
@MainActor func denseQuality(_ provider: OpenAICompatibleProvider, model: String) async throws -> DenseQuality {
    let files = try scifactFiles.map { file in
        (id: file.id, chunks: Chunker.auto.chunks(of: try TextExtractor.extract(Data(file.text.utf8), filename: file.id + ".txt")))
    }
    let queryIDs = Array(judgments.keys)
    var chunkVectors: [[Float]] = [], queryVectors: [[Float]] = []
    let embeddingTime = try await clock.measure {
        chunkVectors = try await provider.embed(files.flatMap { $0.chunks.map(\.text) }, model: model)
        queryVectors = try await provider.embed(queryIDs.map { queries[$0]! }, model: model)
    }
    let queryVector = Dictionary(uniqueKeysWithValues: zip(queryIDs, queryVectors))
    let temporary = try await emptyIndex("scifact-hybrid", stores: ["scifact"])
    let index = temporary.index
    var next = 0
    for start in stride(from: 0, to: files.count, by: 100) {
        try await index.add(storeID: "scifact", files: files[start..<min(start + 100, files.count)].map { file in
            defer { next += file.chunks.count }
            return IndexedFile(fileID: file.id, filename: file.id + ".txt", chunks: file.chunks,
                               embeddings: Array(chunkVectors[next..<(next + file.chunks.count)]))
        })
    }
    let result = DenseQuality(
        hybrid: try await quality { try await index.search(storeIDs: ["scifact"], query: queries[$0]!, queryEmbedding: queryVector[$0], limit: 100) },
        dense: try await quality { try await index.search(storeIDs: ["scifact"], query: "", queryEmbedding: queryVector[$0], limit: 100) },
        chunks: chunkVectors.count, dimensions: chunkVectors.first?.count ?? 0, embeddingTime: embeddingTime)
    await temporary.remove()
    return result
}
var dense: DenseQuality?
if let embeddingsURL {
    let provider = OpenAICompatibleProvider(configuration: .init(baseURL: embeddingsURL, maxRetries: 0))
    do {
        dense = try await denseQuality(provider, model: embeddingModel)
        await provider.shutdown()
    } catch {
        await provider.shutdown()
        throw error
    }
}

// MARK: - Speed: one store of 100,000 chunks of perturbed SciFact text, with fake embeddings, beside two others

let targetChunks = 100_000
let vocabulary = Set(documents.flatMap { $0.text.split(separator: " ") }).sorted()  // sorted: the same copies every run
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
func copyOfSciFact(_ copy: Int) -> [(id: String, text: String)] {
    scifactFiles.map { (id: "\($0.id)-\(copy)", text: perturbed($0.text, copy: copy)) }
}

let otherStores = ["other-1", "other-2"]
let bigIndex = try await emptyIndex("retrieval-100k", stores: ["big"] + otherStores)
let big = bigIndex.index
var others = Ingestion()
for (copy, store) in otherStores.enumerated() {
    others = try await ingest(copyOfSciFact(1_000 + copy), into: big, store: store, embedded: true, others)
}
var growth = Ingestion()
var copy = 0
while growth.chunks < targetChunks {
    let files = copyOfSciFact(copy)
    for start in stride(from: 0, to: files.count, by: 100) where growth.chunks < targetChunks {
        growth = try await ingest(Array(files[start..<min(start + 100, files.count)]), into: big, store: "big", embedded: true, growth)
    }
    copy += 1
}

let queryTexts = Array(queries.values).sorted()
func latencies(hybrid: Bool, count: Int) async throws -> (p50: Double, p99: Double) {
    var samples: [Double] = []
    for index in 0..<(count + 50) {
        let text = queryTexts[index % queryTexts.count]
        let embedding = hybrid ? fakeEmbedding(text) : nil
        let start = clock.now
        _ = try await big.search(storeIDs: ["big"], query: text, queryEmbedding: embedding, limit: 20)
        let time = clock.now - start
        if index >= 50 { samples.append(seconds(time) * 1000) }  // the first 50 warm the caches
    }
    samples.sort()
    return (percentile(samples, 0.5), percentile(samples, 0.99))
}
let lexical = try await latencies(hybrid: false, count: 1000)
let hybrid = try await latencies(hybrid: true, count: 1000)

// A second index on the same storage, as after a restart (or on another node): it loads the store on its
// first searches.
let reopened = try await bigIndex.reopen()
let memoryBefore = residentMegabytes()
var start = clock.now
_ = try await reopened.search(storeIDs: ["big"], query: queryTexts[0], limit: 20)
let lexiconLoad = clock.now - start
let memoryLexicon = residentMegabytes()
start = clock.now
_ = try await reopened.search(storeIDs: ["big"], query: queryTexts[0], queryEmbedding: fakeEmbedding(queryTexts[0]), limit: 20)
let vectorsLoad = clock.now - start
let memoryVectors = residentMegabytes()
var sameResults = true
for text in queryTexts.prefix(100) {
    let a = try await reopened.search(storeIDs: ["big"], query: text, limit: 20)
    let b = try await big.search(storeIDs: ["big"], query: text, limit: 20)
    sameResults = sameResults && a == b
}
await bigIndex.remove()

func f(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }
func megabytes(_ after: Double?, _ before: Double?) -> String {
    guard let after, let before else { return "n/a" }
    return f(after - before, 0) + " MB"
}
let denseRows = dense.map { dense in
    """

    | SciFact nDCG@10 / recall@20, hybrid (BM25 + \(embeddingModel), RRF) | \(f(dense.hybrid.ndcg)) / \(f(dense.hybrid.recall)) | |
    | SciFact nDCG@10 / recall@20, dense only (\(embeddingModel), \(dense.dimensions) dims) | \(f(dense.dense.ndcg)) / \(f(dense.dense.recall)) | |
    | Time the endpoint took to embed the \(dense.chunks) chunks and \(judgments.count) queries | \(f(seconds(dense.embeddingTime), 0)) s | |
    """
} ?? ""
print("""
    Chunk storage: \(databaseURL == nil ? "SQLite files" : "PostgreSQL")

    | Measure | Result | Target |
    | --- | --- | --- |
    | SciFact nDCG@10 (BM25, \(judgments.count) test queries, auto 800/400 chunks) | \(f(ndcg)) | ≥ 0.665 (BEIR BM25) |
    | SciFact recall@20 | \(f(recall)) | |\(denseRows)
    | Ingestion, SciFact (\(documents.count) files, \(f(Double(batched.bytes) / 1e6, 1)) MB; extract + chunk + index), batches of 100 | \(f(batched.megabytesPerSecond, 1)) MB/s | ≥ 5 MB/s |
    | Ingestion, SciFact, one `add` per file | \(f(oneByOne.megabytesPerSecond, 1)) MB/s | |
    | Chunker alone, SciFact | \(f(Double(batched.bytes) / 1e6 / seconds(chunkerTime), 1)) MB/s | |
    | Ingestion growing one store to \(growth.chunks) chunks (\(f(Double(growth.bytes) / 1e6, 1)) MB, 64-dim embeddings), batches of 100 | \(f(growth.megabytesPerSecond, 1)) MB/s | ≥ 5 MB/s |
    | Search p50 / p99, BM25, \(growth.chunks)-chunk store (\(others.chunks) chunks in \(otherStores.count) other stores), top 20 | \(f(lexical.p50, 2)) / \(f(lexical.p99, 2)) ms | ≤ 10 / ≤ 50 ms |
    | Search p50 / p99, hybrid (BM25 + 64-dim brute force, RRF) | \(f(hybrid.p50, 2)) / \(f(hybrid.p99, 2)) ms | ≤ 10 / ≤ 50 ms |
    | First search after reopening: loads the lexicon / then the embeddings | \(f(seconds(lexiconLoad), 2)) / \(f(seconds(vectorsLoad), 2)) s | |
    | Memory (RSS growth) of the loaded store: lexicon / embeddings | \(megabytes(memoryLexicon, memoryBefore)) / \(megabytes(memoryVectors, memoryLexicon)) | |
    | Reopened index returns the same results (100 queries) | \(sameResults ? "yes" : "NO") | yes |
    """)

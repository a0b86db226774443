import Foundation
import PostgresTestSupport
import Testing
@testable import Retrieval

/// Several nodes, each with its own `SearchIndex` (and its own in-memory lexicons), on one shared
/// storage: each search sees exactly what is stored, whichever node wrote it.
@Suite(.closesStores) struct MultiNodeSearchTests {
    func file(_ id: String, _ text: String, embedding: [Float]? = nil) -> IndexedFile {
        let chunks = Chunker.auto.chunks(of: text)
        return IndexedFile(fileID: id, filename: id + ".txt", chunks: chunks, embeddings: embedding.map { e in chunks.map { _ in e } })
    }

    func found(_ index: SearchIndex, _ query: String, stores: [String] = ["s"], embedding: [Float]? = nil) async throws -> Set<String> {
        Set(try await index.search(storeIDs: stores, query: query, queryEmbedding: embedding, limit: 100).map(\.fileID))
    }

    @Test(arguments: [StorageBackend.postgres])
    func indexedOnOneNodeIsFoundOnAnother(backend: StorageBackend) async throws {
        let nodes = try await backend.makeNodes(2)
        try await nodes[0].add(storeID: "s", files: [file("f_cats", "Cats sleep most of the day.")])
        #expect(try await found(nodes[1], "sleeping cats") == ["f_cats"])
        let hit = try #require(try await nodes[1].search(storeIDs: ["s"], query: "cats", limit: 1).first)
        #expect(hit.text == "Cats sleep most of the day." && hit.filename == "f_cats.txt")
    }

    @Test(arguments: [StorageBackend.postgres])
    func removalsOnOneNodeDisappearOnAnother(backend: StorageBackend) async throws {
        let nodes = try await backend.makeNodes(3)
        try await nodes[0].add(storeID: "s", files: [file("f_cats", "cats and mice"), file("f_dogs", "dogs and cats")])
        try await nodes[0].add(storeID: "t", files: [file("f_other", "cats elsewhere")])
        #expect(try await found(nodes[1], "cats", stores: ["s", "t"]) == ["f_cats", "f_dogs", "f_other"])  // loaded on B
        try await nodes[0].remove(storeID: "s", fileID: "f_cats")
        #expect(try await found(nodes[1], "cats") == ["f_dogs"])
        #expect(try await found(nodes[1], "mice").isEmpty)
        // Scores too: B's statistics no longer count the removed chunk, as a node loading afresh finds.
        let fresh = try await nodes[2].search(storeIDs: ["s", "t"], query: "cats dogs", limit: 10)
        #expect(try await nodes[1].search(storeIDs: ["s", "t"], query: "cats dogs", limit: 10) == fresh)
        try await nodes[0].removeStore("s")
        #expect(try await found(nodes[1], "cats dogs").isEmpty)
        #expect(try await found(nodes[1], "cats", stores: ["t"]) == ["f_other"])
    }

    @Test(arguments: [StorageBackend.postgres])
    func aNodeThatLoadedAStoreSeesLaterChangesFromAnother(backend: StorageBackend) async throws {
        let nodes = try await backend.makeNodes(2)
        try await nodes[1].add(storeID: "s", files: [file("f_b", "parrots talk", embedding: [1, 0, 0])])
        #expect(try await found(nodes[1], "parrots", embedding: [1, 0, 0]) == ["f_b"])  // lexicon and vectors held on B
        try await nodes[0].add(storeID: "s", files: [file("f_a", "parrots fly far", embedding: [0, 1, 0])])
        #expect(try await found(nodes[1], "parrots") == ["f_a", "f_b"])
        let dense = try await nodes[1].search(storeIDs: ["s"], query: "unrelated", queryEmbedding: [0, 1, 0], limit: 1)
        #expect(dense.map(\.fileID) == ["f_a"])
        // B's own write after A's: applied on top of a reload, not of the stale lexicon.
        try await nodes[1].add(storeID: "s", files: [file("f_c", "parrots nest")])
        #expect(try await found(nodes[1], "parrots") == ["f_a", "f_b", "f_c"])
        #expect(try await found(nodes[0], "parrots") == ["f_a", "f_b", "f_c"])
    }

    /// Both nodes write the one store at once, each with its lexicon held (so each applies its own writes
    /// and must notice the other's): afterwards both, and a node that never searched before, find exactly
    /// the union.
    @Test(arguments: [StorageBackend.postgres])
    func concurrentWritesFromTwoNodesEndWithTheUnion(backend: StorageBackend) async throws {
        let nodes = try await backend.makeNodes(3)
        for node in nodes.prefix(2) { _ = try await node.search(storeIDs: ["s"], query: "common", limit: 1) }
        let perNode = 12
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (number, node) in nodes.prefix(2).enumerated() {
                group.addTask {
                    for i in 0..<perNode {
                        let id = "n\(number)_\(i)"
                        try await node.add(storeID: "s", files: [self.file(id, "common word\(id) shared")])
                        // Searching between writes keeps the lexicon held and makes it catch up.
                        _ = try await node.search(storeIDs: ["s"], query: "common", limit: 1)
                    }
                    // A file written then replaced, and one written then removed: neither may leave a trace.
                    try await node.add(storeID: "s", files: [self.file("gone\(number)", "common vanishing")])
                    try await node.remove(storeID: "s", fileID: "gone\(number)")
                    try await node.add(storeID: "s", files: [self.file("n\(number)_0", "common word\("n\(number)_0") shared again")])
                }
            }
            try await group.waitForAll()
        }
        let union = Set((0..<2).flatMap { number in (0..<perNode).map { "n\(number)_\($0)" } })
        for node in nodes {
            #expect(try await found(node, "common") == union)
            #expect(try await found(node, "vanishing").isEmpty)
            #expect(try await found(node, "again") == ["n0_0", "n1_0"])
        }
        let reference = try await nodes[2].search(storeIDs: ["s"], query: "common shared word", limit: 100)
        for node in nodes.prefix(2) {
            #expect(try await node.search(storeIDs: ["s"], query: "common shared word", limit: 100) == reference)
        }
    }
}

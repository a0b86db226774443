import AssistantsAPI
import AssistantsStore
import Foundation

/// `file_search`: searches the vector stores of the run's assistant and thread, or, for a response, those
/// its `file_search` tool names, with the tool's attribute filters. The model receives each
/// result behind a citation marker `【{call}:{result}†{filename}】`; markers it copies into its answer
/// become `file_citation` annotations (see `ProducedOutputs`).
public struct FileSearchTool: BuiltInTool {
    let vectorStores: VectorStores
    /// How long a run waits for files still being ingested into its thread's store.
    var readinessTimeout: Duration = .seconds(60)

    public init(vectorStores: VectorStores) {
        self.vectorStores = vectorStores
    }

    public var name: String { "file_search" }
    public var definition: FunctionDefinition { ReservedTools.fileSearch }

    public func call(arguments: String, context: ToolCallContext) async throws -> BuiltInToolResult {
        // Some models send the query itself rather than `{"query": ...}`.
        let query = JSONValue.parse(arguments)?["query"]?.stringValue ?? arguments
        let options = context.run.tools.lazy.compactMap { if case .fileSearch(let options) = $0 { options } else { nil } }.first ?? .init()
        let store = vectorStores.store
        let storeIDs: [String]
        var filter: SearchFilter?
        if let responseID = context.run.responseID {
            let tool = try await store.response(id: responseID)?.record.response.tools.lazy.compactMap {
                if case .fileSearch(let tool) = $0 { tool } else { nil }
            }.first
            storeIDs = tool?.vectorStoreIDs ?? []
            filter = tool?.filters
            try await waitUntilIngested(storeIDs)
        } else {
            let assistantStores = try await store.assistant(id: context.run.assistantID)?.toolResources.fileSearch?.vectorStoreIDs ?? []
            let threadStores = try await store.thread(id: context.run.threadID)?.toolResources.fileSearch?.vectorStoreIDs ?? []
            // Files just attached to the thread are worth waiting for; the assistant's store is used as it is.
            try await waitUntilIngested(threadStores)
            storeIDs = assistantStores + threadStores
        }
        var usable: [VectorStore] = []
        var notes: [String] = []
        for id in VectorStores.unique(storeIDs) {
            guard let vectorStore = try await store.vectorStore(id: id, counted: false) else { continue }
            if vectorStore.status == .expired { notes.append("[Vector store \(id) has expired; its files cannot be searched.]") } else { usable.append(vectorStore) }
        }
        let passages = try await vectorStores.search(
            in: usable, queries: [query], limit: options.maxNumResults ?? VectorStoreLimits.defaultToolResults,
            scoreThreshold: options.rankingOptions.scoreThreshold, filter: filter)
        let results = passages.map {
            FileSearchResult(fileID: $0.fileID, fileName: $0.filename, score: $0.score, content: [.init(text: $0.text)])
        }
        return BuiltInToolResult(
            call: .fileSearch(FileSearchCall(rankingOptions: options.rankingOptions, results: results)),
            output: (notes + [Self.output(query: query, passages: passages, call: context.searchesBefore)]).joined(separator: "\n"))
    }

    /// What the model reads: each passage behind the marker that cites it.
    static func output(query: String, passages: [Passage], call: Int) -> String {
        guard !passages.isEmpty else { return noResults(query) }
        let example = CitationMarker(call: call, result: 0, filename: passages[0].filename).text
        var text = "Results for \"\(query)\". When you use a result, cite it by copying its marker (such as \(example)) right after the statement it supports."
        for (position, passage) in passages.enumerated() {
            text += "\n\n" + CitationMarker(call: call, result: position, filename: passage.filename).text + "\n" + passage.text
        }
        return text
    }

    /// What the model reads of a search that found nothing.
    static func noResults(_ query: String) -> String { "No results were found in the files for \"\(query)\"." }

    private func waitUntilIngested(_ storeIDs: [String]) async throws {
        let deadline = ContinuousClock.now + readinessTimeout
        for id in storeIDs {
            while let vectorStore = try await vectorStores.store.vectorStore(id: id), vectorStore.fileCounts.inProgress > 0,
                  ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}

/// `【{call}:{result}†{filename}】`: which result of which `file_search` call of the run a passage is.
struct CitationMarker: Equatable {
    var call: Int
    var result: Int
    var filename: String

    var text: String { "【\(call):\(result)†\(filename)】" }

    /// Every marker in `text`, with its scalar offsets. Markers whose numbers don't parse are skipped.
    static func all(in text: String) -> [(marker: CitationMarker, range: Range<Int>)] {
        let scalars = Array(text.unicodeScalars)
        var found: [(CitationMarker, Range<Int>)] = []
        var start: Int?
        for (offset, scalar) in scalars.enumerated() {
            if scalar == "【" {
                start = offset
            } else if scalar == "】", let open = start {
                start = nil
                let inside = String(String.UnicodeScalarView(scalars[(open + 1)..<offset]))
                let parts = inside.split(separator: "†", maxSplits: 1, omittingEmptySubsequences: false)
                let numbers = parts[0].split(separator: ":")
                guard numbers.count == 2, let call = Int(numbers[0]), let result = Int(numbers[1]) else { continue }
                let filename = parts.count > 1 ? String(parts[1]) : ""
                found.append((CitationMarker(call: call, result: result, filename: filename), open..<(offset + 1)))
            }
        }
        return found
    }
}

import AssistantsEngine
import AssistantsStore
import Foundation
import ModelProviders
import Retrieval

extension RunEngine {
    /// An engine on `store`, with a temporary blob directory and an in-memory search index.
    static func testing(
        store: any AssistantsStore, provider: (any ModelProvider)?, tools: [any BuiltInTool] = [],
        dispatch: (any WorkDispatch)? = nil, configuration: Configuration = .init()
    ) throws -> RunEngine {
        let blobs = try FileSystemBlobStore(root: FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString))
        let vectorStores = VectorStores(store: store, blobs: blobs, index: try SearchIndex())
        return RunEngine(
            store: store, blobs: blobs, vectorStores: vectorStores, provider: provider, tools: tools, dispatch: dispatch,
            configuration: configuration)
    }
}

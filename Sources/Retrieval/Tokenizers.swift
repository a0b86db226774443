import GRDB
import Synchronization

/// SQLite connections in memory, lent out for their FTS5 tokenizers, so that terms are read the same way
/// whatever database holds the chunks. A tokenizer may only be used inside its connection's queue, by
/// one thread at a time: hence a connection per concurrent user rather than one shared tokenizer.
final class Tokenizers: Sendable {
    static let shared = Tokenizers()
    /// Connections not lent out; a few are kept, the rest closed when returned.
    private let idle = Mutex<[DatabaseQueue]>([])
    private static let kept = 8

    /// Calls `body` with a `Terms.tokenizer` no one else is using meanwhile.
    func with<T>(_ body: (any FTS5Tokenizer) throws -> T) throws -> T {
        let queue = try idle.withLock { $0.popLast() } ?? DatabaseQueue()
        defer { idle.withLock { if $0.count < Self.kept { $0.append(queue) } } }
        return try queue.inDatabase { db in try body(db.makeTokenizer(Terms.tokenizer)) }
    }
}

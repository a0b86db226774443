import Synchronization

/// What a `SearchIndex` derives from each store's stored chunks (its lexicon, its vectors), each value
/// tagged with the store version it reflects. A search asks for a value at least as new as the version it
/// just read from the storage, so what it ranks is exactly what was stored when it began, whichever node
/// changed the store. A value too old is loaded again, once however many searches ask at the same time.
///
/// Changes made through this index are applied to the value in place (`apply`), strictly in version
/// order: one that commits before its predecessor is applied waits for it. A gap (a change made by
/// another node) leaves the value behind until the next search reloads it. A search that finds the value
/// behind while writes made here are between their commit and `apply` waits for them rather than reloading
/// the store (`beginWrite`, `endWrite`): they are usually the reason, and a reload costs seconds at 100k chunks.
final class StoreSnapshots<Value: Sendable>: Sendable {
    typealias Change = @Sendable (inout Value) -> Void

    private final class Entry: Sendable {
        struct State {
            var value: Value?
            /// The store version `value` reflects.
            var version: Int64 = 0
            /// Changes committed after `version`, waiting for the ones before them, by version.
            var pending: [Int64: Change] = [:]
            var loading: Task<(value: Value, version: Int64), any Error>?
            /// Writes made through this index that have begun and have not yet been applied or abandoned.
            var writing: Set<Int> = []
            var nextWrite = 0
            /// Searches waiting, each for some of those writes, or until the value reaches a version.
            var waiters: [(writes: Set<Int>, version: Int64, waiter: CheckedContinuation<Void, Never>)] = []

            /// Resumes the searches that need wait no longer.
            mutating func wake() {
                let (done, waiting) = (waiters.filter { isDone($0) }, waiters.filter { !isDone($0) })
                waiters = waiting
                for entry in done { entry.waiter.resume() }
            }

            func isDone(_ entry: (writes: Set<Int>, version: Int64, waiter: CheckedContinuation<Void, Never>)) -> Bool {
                value == nil || version >= entry.version || entry.writes.isDisjoint(with: writing)
            }

            /// Applies the waiting changes that follow on from `version`; too many waiting means a change
            /// from elsewhere is missing, so the value is dropped to be loaded again.
            mutating func drain() {
                guard value != nil else { return }  // being loaded: kept for when it is
                while let change = pending.removeValue(forKey: version + 1) {
                    change(&value!)
                    version += 1
                }
                if pending.count > StoreSnapshots.maxPending {
                    value = nil
                    pending = [:]
                }
            }
        }

        let state = Mutex(State())
    }

    private enum Held {
        case ready(Value)
        case loading(Task<(value: Value, version: Int64), any Error>)
        /// Behind, with writes of this index in flight: wait for these, then look again.
        case writing(Set<Int>)
    }

    private let entries = Mutex<[String: Entry]>([:])
    static var maxPending: Int { 64 }

    /// The store's value at `version` or later, loaded with `load` (which returns the value and the version
    /// it reflects) if what is held is older.
    func value(
        _ storeID: String, atLeast version: Int64, load: @escaping @Sendable () async throws -> (value: Value, version: Int64)
    ) async throws -> Value {
        let entry = entries.withLock { entries in
            if let entry = entries[storeID] { return entry }
            let entry = Entry()
            entries[storeID] = entry
            return entry
        }
        // A load joined may have begun before `version` was read; one begun after it is new enough.
        var loads = 0
        var waited = false
        while loads < 3 {
            let held = entry.state.withLock { state -> Held in
                if let value = state.value, state.version >= version { return .ready(value) }
                // Writes begun later cannot explain the lag: every version up to `version` had committed.
                if state.value != nil, !state.writing.isEmpty, !waited { return .writing(state.writing) }
                if let loading = state.loading { return .loading(loading) }
                let loading = Task {
                    do {
                        let loaded = try await load()
                        entry.state.withLock { state in
                            state.loading = nil
                            guard state.value == nil || state.version < loaded.version else { return }
                            state.value = loaded.value
                            state.version = loaded.version
                            state.pending = state.pending.filter { $0.key > loaded.version }
                            state.drain()
                            state.wake()
                        }
                        return loaded
                    } catch {
                        entry.state.withLock { state in
                            state.loading = nil
                            if state.value == nil { state.pending = [:] }
                        }
                        throw error
                    }
                }
                state.loading = loading
                return .loading(loading)
            }
            switch held {
            case .ready(let value):
                return value
            case .loading(let loading):
                let loaded = try await loading.value
                if loaded.version >= version { return loaded.value }
                loads += 1
            case .writing(let writes):
                waited = true
                await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                    entry.state.withLock { state -> Void in
                        let waiting = (writes: writes, version: version, waiter: waiter)
                        // Looked at again under the lock: the writes may have ended meanwhile.
                        if state.isDone(waiting) { waiter.resume() } else { state.waiters.append(waiting) }
                    }
                }
            }
        }
        throw SearchIndexError.database("The store \(storeID) kept changing while it was being loaded.")
    }

    /// Applies a change made through this index, which left the store at `version`, if the value is held
    /// or being loaded; otherwise the next search loads it with the change.
    func apply(_ storeID: String, version: Int64, _ change: @escaping Change) {
        guard let entry = entries.withLock({ $0[storeID] }) else { return }
        entry.state.withLock { state in
            // Not held: the next search loads it, change included. Held at this version or later: nothing to do.
            guard state.value != nil || state.loading != nil else { return }
            if state.value != nil, version <= state.version { return }
            state.pending[version] = change
            state.drain()
            state.wake()
        }
    }

    /// Marks a write through this index as begun, before it commits; call what it returns once the
    /// write is applied or abandoned.
    func beginWrite(_ storeID: String) -> @Sendable () -> Void {
        guard let entry = entries.withLock({ $0[storeID] }) else { return {} }
        let write = entry.state.withLock { state in
            state.nextWrite += 1
            state.writing.insert(state.nextWrite)
            return state.nextWrite
        }
        return {
            entry.state.withLock { state in
                state.writing.remove(write)
                state.wake()
            }
        }
    }

    /// Whether the store's value is held or being loaded: whether `apply` would do anything.
    func isHeld(_ storeID: String) -> Bool {
        guard let entry = entries.withLock({ $0[storeID] }) else { return false }
        return entry.state.withLock { $0.value != nil || $0.loading != nil }
    }

    /// Forgets the store's value; the next search loads it again.
    func invalidate(_ storeID: String) {
        guard let entry = entries.withLock({ $0[storeID] }) else { return }
        entry.state.withLock { state in
            state.value = nil
            state.pending = [:]
            state.wake()
        }
    }

    /// Forgets the store altogether: it was removed.
    func remove(_ storeID: String) {
        _ = entries.withLock { $0.removeValue(forKey: storeID) }
    }
}

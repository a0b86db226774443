import AssistantsStore
import PostgresStore
import PostgresTestSupport
import Testing

/// The requests-per-minute counter of each backend: every request counts once, however many arrive at
/// once, each key has its own count, and a new minute starts again at 1.
@Suite(.closesStores) struct RequestCounterContractTests {
    func counter(_ backend: StoreBackend) async throws -> any RequestCounter {
        let store = try await backend.make()
        if let postgres = store as? PostgresStore { return PostgresRequestCounter(store: postgres) }
        return InProcessRequestCounter()
    }

    @Test(arguments: StoreBackend.allCases)
    func everyRequestCountsOncePerKeyAndMinute(_ backend: StoreBackend) async throws {
        let counter = try await counter(backend)
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<40 { group.addTask { try await counter.count(key: "key_a", window: 600) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts.sorted() == Array(1...40))
        #expect(try await counter.count(key: "key_b", window: 600) == 1)
        #expect(try await counter.count(key: "key_a", window: 600) == 41)
        // The next minute starts again.
        #expect(try await counter.count(key: "key_a", window: 660) == 1)
        #expect(try await counter.count(key: "key_a", window: 660) == 2)
    }
}

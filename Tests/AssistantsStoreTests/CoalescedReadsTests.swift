@testable import PostgresStore
import Synchronization
import Testing

/// Reads that arrive while one is in flight share the next statement, and still see what was written
/// before they arrived.
@Suite struct CoalescedReadsTests {
    /// A fetch that reads from `values`, holds each call until the test lets it go, and records the keys it
    /// was asked for.
    final class Source: Sendable {
        let values = Mutex<[String: Int]>([:])
        let calls = Mutex<[[String]]>([])
        private let gates = Mutex<[CheckedContinuation<Void, Never>]>([])

        func fetch(_ keys: [String]) async throws -> [String: Int] {
            calls.withLock { $0.append(keys.sorted()) }
            // What a statement sees is what was committed when it started.
            let values = values.withLock { $0 }
            await withCheckedContinuation { continuation in gates.withLock { $0.append(continuation) } }
            if keys.contains("broken") { throw Broken() }
            return values.filter { keys.contains($0.key) }
        }

        /// Lets the oldest held fetch go on, once it has started.
        func release() async {
            while true {
                let gate = gates.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                if let gate { return gate.resume() }
                await Task.yield()
            }
        }

        func waitForCalls(_ count: Int) async {
            while calls.withLock({ $0.count }) < count { await Task.yield() }
        }
    }

    struct Broken: Error {}

    @Test func readsArrivingDuringAFetchShareTheNextOne() async throws {
        let source = Source()
        source.values.withLock { $0 = ["a": 1, "b": 2, "c": 3] }
        let reads = CoalescedReads<String, Int>(source.fetch)
        let first = Task { try await reads.value(for: "a") }
        await source.waitForCalls(1)
        // Asked while the first fetch is in flight: they wait for it to end, then go together.
        let waiting = ["b", "c", "a", "missing"].map { key in Task { try await reads.value(for: key) } }
        while reads.waitingCount < 4 { await Task.yield() }
        await source.release()
        await source.waitForCalls(2)
        await source.release()
        #expect(try await first.value == 1)
        var answers: [Int?] = []
        for read in waiting { answers.append(try await read.value) }
        #expect(answers == [2, 3, 1, nil])
        #expect(source.calls.withLock { $0 } == [["a"], ["a", "b", "c", "missing"]])
    }

    @Test func aReadSeesWhatWasWrittenBeforeItArrived() async throws {
        let source = Source()
        source.values.withLock { $0 = ["a": 1] }
        let reads = CoalescedReads<String, Int>(source.fetch)
        let before = Task { try await reads.value(for: "a") }
        await source.waitForCalls(1)
        // Written while the first fetch is in flight, before the second read arrives: the second read must not
        // be answered by the fetch that was already under way.
        source.values.withLock { $0["a"] = 2 }
        let after = Task { try await reads.value(for: "a") }
        while reads.waitingCount < 1 { await Task.yield() }
        await source.release()
        await source.release()
        #expect(try await before.value == 1)
        #expect(try await after.value == 2)
    }

    @Test func aFailedFetchFailsItsReadsOnly() async throws {
        let source = Source()
        let reads = CoalescedReads<String, Int>(source.fetch)
        source.values.withLock { $0 = ["a": 1] }
        let first = Task { try await reads.value(for: "a") }
        await source.waitForCalls(1)
        let failing = ["broken", "a"].map { key in Task { try await reads.value(for: key) } }
        while reads.waitingCount < 2 { await Task.yield() }
        await source.release()
        await source.waitForCalls(2)
        await source.release()
        #expect(try await first.value == 1)
        for read in failing { await #expect(throws: Broken.self) { try await read.value } }
        // The next read fetches afresh.
        let later = Task { try await reads.value(for: "a") }
        await source.waitForCalls(3)
        await source.release()
        #expect(try await later.value == 1)
    }
}

@testable import AssistantsServer
import Testing

/// The memory of threads seen to be public stays bounded and keeps the ids in use.
@Suite struct PublicThreadsTests {
    @Test func idsInUseStayAndTheOthersAreDropped() {
        // Two generations of two ids each.
        let threads = PublicThreads(capacity: 4)
        #expect(!threads.contains("thread_a"))
        threads.insert("thread_a")
        threads.insert("thread_b")
        // The newer generation is full: (a, b) become the older one.
        threads.insert("thread_c")
        // Asking for a moves it back into the newer generation, (c, a); b is not asked for.
        #expect(threads.contains("thread_a"))
        // The newer generation is full again: (c, a) become the older one, and b is dropped.
        threads.insert("thread_d")
        #expect(!threads.contains("thread_b"))
        #expect(threads.contains("thread_a") && threads.contains("thread_c") && threads.contains("thread_d"))
    }
}

@testable import AssistantsServer
import Testing

/// The memory of objects' projects stays bounded and keeps the ids in use.
@Suite struct ObjectOwnersTests {
    @Test func idsInUseStayAndTheOthersAreDropped() {
        // Two generations of two ids each.
        let owners = ObjectOwners(capacity: 4)
        #expect(owners.project(of: "thread_a") == nil)
        owners.insert("thread_a", project: "proj_1")
        owners.insert("thread_b", project: "proj_1")
        // The newer generation is full: (a, b) become the older one.
        owners.insert("thread_c", project: "proj_2")
        // Asking for a moves it back into the newer generation, (c, a); b is not asked for.
        #expect(owners.project(of: "thread_a") == "proj_1")
        // The newer generation is full again: (c, a) become the older one, and b is dropped.
        owners.insert("thread_d", project: "proj_2")
        #expect(owners.project(of: "thread_b") == nil)
        #expect(owners.project(of: "thread_a") == "proj_1" && owners.project(of: "thread_c") == "proj_2")
        #expect(owners.project(of: "thread_d") == "proj_2")
    }
}

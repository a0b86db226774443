import AssistantsStore
import Testing
@testable import AssistantsEngine

/// The queue of runs this process executes hands each run to one worker at a time.
@Suite struct RunQueueTests {
    @Test func aRunPushedAgainWhileAWorkerHoldsItExecutesOnceMoreAfterwards() async {
        let queue = RunQueue()
        let run = RunReference(runID: "run_1", threadID: "thread_1")
        let other = RunReference(runID: "run_2", threadID: "thread_2")
        await queue.push(run)
        #expect(await queue.next() == run)
        // Queued again (tool outputs) while its worker winds down: not handed to a second worker.
        await queue.push(run)
        await queue.push(other)
        #expect(await queue.next() == other)
        #expect(await queue.load == 2)
        #expect(await queue.finished(run))
        #expect(await queue.finished(other) == false)
        #expect(await queue.load == 0)
    }

    @Test func closingReturnsTheRunsNoWorkerTook() async {
        let queue = RunQueue()
        let runs = (0..<3).map { RunReference(runID: "run_\($0)", threadID: "thread_\($0)") }
        for run in runs { await queue.push(run) }
        #expect(await queue.next() == runs[0])
        #expect(await queue.close() == Array(runs.dropFirst()))
        #expect(await queue.next() == nil)
    }
}

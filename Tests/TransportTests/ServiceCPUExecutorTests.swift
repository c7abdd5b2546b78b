import Foundation
import Testing

@testable import Transport
@testable import VeredictoCore

/// The CPU a stage's tasks take is counted to that stage's executor: its own jobs, its child
/// tasks', the default actors' it calls, and the unstructured tasks it starts through
/// `ServiceCPUExecutor.task`; another stage's work is not.
@Suite struct ServiceCPUExecutorTests {
    /// Burns CPU until the thread's own clock has advanced by `milliseconds` (a CPU time, so
    /// that a preempted thread does not end early).
    static func burn(milliseconds: Double) -> Double {
        func now() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        let start = now()
        var sink = 0.0
        while now() - start < milliseconds / 1000 { sink += 1 }
        return sink
    }

    actor Tally {
        var total = 0.0
        func add(burning milliseconds: Double) { total += ServiceCPUExecutorTests.burn(milliseconds: milliseconds) }
    }

    @Test func eachStageIsCountedTheCPUItsOwnTasksTook() async throws {
        let busy = ServiceCPUExecutor(name: "busy"), idle = ServiceCPUExecutor(name: "idle")
        let tally = Tally()
        let work = ServiceCPUExecutor.start(on: busy) { () -> Double in
            var sink = Self.burn(milliseconds: 40)                                  // its own job
            sink += await withTaskGroup(of: Double.self) { group in                 // a child task
                group.addTask { Self.burn(milliseconds: 40) }
                return await group.reduce(0, +)
            }
            await tally.add(burning: 40)                                            // a default actor
            sink += try await ServiceCPUExecutor.task { Self.burn(milliseconds: 40) }.value  // unstructured
            return sink
        }
        let waiting = ServiceCPUExecutor.start(on: idle) { try await Task.sleep(for: .milliseconds(50)) }
        _ = try await work.value
        try await waiting.value
        // Four parts of 40 ms of thread CPU each; the clock is read around whole jobs, so a
        // little more is counted, never less.
        #expect(busy.snapshot.seconds >= 0.160)
        #expect(busy.snapshot.jobs >= 4)
        #expect(idle.snapshot.seconds < 0.040)
        #expect(idle.snapshot.jobs >= 1)
    }

    @Test func aTaskStartedOutsideAnyStageIsNotCounted() async throws {
        let stage = ServiceCPUExecutor(name: "stage")
        #expect(ServiceCPUExecutor.current == nil)
        _ = try await ServiceCPUExecutor.task { Self.burn(milliseconds: 20) }.value
        let inside = try await ServiceCPUExecutor.start(on: stage) { ServiceCPUExecutor.current?.name }.value
        #expect(inside == "stage")
        #expect(stage.snapshot.seconds < 0.020)
    }
}

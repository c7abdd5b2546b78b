import Foundation
import Testing
@testable import Observability
import VeredictoCore

@Suite struct ThreadCPUTests {
    struct Reading: Sendable {
        var own: Double
        var tid: Int32?
        var named: Bool
    }

    @Test func statFieldsAreCountedAfterTheNameThatMayHoldSpacesAndParentheses() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        let stat = "4242 (rdk:br (x) 1) S 1 2 3 0 -1 4194560 100 0 0 0 37 5 0 0 20 0 1 0"
        #expect(ThreadCPU.statTicks(stat) == 42)
        #expect(ThreadCPU.statTicks("4242 (short) S 1 2") == nil)
        #expect(ThreadCPU.statTicks("no parenthesis") == nil)
    }

    @Test func spentCountsANewThreadFromZeroAndLeavesAnEndedOneOut() {
        let before = [ThreadCPU(tid: 1, name: "main", seconds: 2.0), ThreadCPU(tid: 2, name: "rdk:main", seconds: 1.0)]
        let after = [ThreadCPU(tid: 1, name: "main", seconds: 2.5), ThreadCPU(tid: 3, name: "rdk:broker1", seconds: 0.25)]
        let spent = ThreadCPU.spent(from: before, to: after)
        #expect(spent == [ThreadCPU(tid: 1, name: "main", seconds: 0.5), ThreadCPU(tid: 3, name: "rdk:broker1", seconds: 0.25)])
        #expect(spent.filter(\.isLibrdkafka).map(\.tid) == [3])
    }

    /// A thread named as librdkafka names its own, started between two readings and burning
    /// CPU, is read with its name and the CPU it burnt.
    @Test func aNamedThreadIsReadWithTheCPUItBurnt() async throws {
        let before = ThreadCPU.all()
        #expect(!before.isEmpty, "/proc/self/task should be readable on Linux")
        let reading = LockedValue<Reading?>(nil)
        let measured = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let thread = Thread {
            // Named as librdkafka names its threads, through the kernel's own file for the
            // calling thread (Foundation's Thread.name reaches the kernel only once the
            // starting thread has recorded the new one, a race under load).
            let named = (try? "rdk:cputest".write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)) != nil
            // "<pid>/task/<tid>"
            let tid = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"))
                .flatMap { $0.split(separator: "/").last.flatMap { Int32($0) } }
            var clock = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &clock)
            let start = Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9
            var own = 0.0
            var sink: UInt64 = 1
            while own < 0.05 {
                for i in 0..<100_000 { sink = sink &* 6_364_136_223_846_793_005 &+ UInt64(i) }
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &clock)
                own = Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9 - start
            }
            if sink == 0 { print("unlikely") }
            // Read while the thread still runs: an ended thread leaves /proc/self/task.
            reading.withLock { $0 = Reading(own: own, tid: tid, named: named) }
            measured.signal()
            release.wait()
        }
        thread.start()
        defer { release.signal() }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { measured.wait(); continuation.resume() }
        }
        let state = try #require(reading.withLock { $0 })
        #expect(state.named, "could not write /proc/thread-self/comm")
        let tid = try #require(state.tid, "could not read /proc/thread-self")
        let own = state.own
        let after = ThreadCPU.all()
        let spent = ThreadCPU.spent(from: before, to: after)
        let burnt = try #require(spent.first { $0.tid == tid })
        #expect(burnt.name == "rdk:cputest")
        #expect(burnt.isLibrdkafka)
        #expect(!before.contains { $0.tid == burnt.tid }, "the thread started after the first reading")
        // schedstat counts the same time the thread's own clock did (a tick of 10 ms where only
        // stat is kept), and a little more: the thread ran before its clock was first read.
        #expect(burnt.seconds >= own - 0.011, "read \(burnt.seconds) s, the thread's clock said \(own) s")
        #expect(burnt.seconds < own + 0.5)
    }
}


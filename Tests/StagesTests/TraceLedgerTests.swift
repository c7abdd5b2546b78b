import Testing

@testable import Stages

@Suite struct TraceLedgerTests {
    @Test func dropsDuplicatesStaleAttemptsAndDecidedTraces() {
        var ledger = TraceLedger()
        #expect(ledger.verdict(trace: "t", attempt: 1) == .score)
        #expect(ledger.recordScore(trace: "t", attempt: 1, score: 0.2) == 0.2)
        #expect(ledger.verdict(trace: "t", attempt: 1) == .stale)  // a duplicate of attempt 1
        #expect(ledger.verdict(trace: "t", attempt: 2) == .score)
        #expect(ledger.recordScore(trace: "t", attempt: 2, score: 0.7) == 0.2)  // first score kept
        #expect(ledger.verdict(trace: "t", attempt: 1) == .stale)  // late attempt 1
        ledger.decide(trace: "t")
        #expect(ledger.verdict(trace: "t", attempt: 3) == .decided)
        #expect(ledger.verdict(trace: "other", attempt: 1) == .score)
    }

    @Test func firstScoreCarriedWhenAttemptOneWasNotSeen() {
        var ledger = TraceLedger()
        #expect(ledger.recordScore(trace: "t", attempt: 2, score: 0.9, carried: 0.3) == 0.3)
    }

    @Test func staysWithinCapacityForgettingTheOldest() {
        var ledger = TraceLedger(capacity: 100)
        for i in 0..<1000 { ledger.recordScore(trace: "t\(i)", attempt: 1, score: 0.5) }
        #expect(ledger.count == 100)
        #expect(ledger.evictions == 900)
        #expect(ledger.verdict(trace: "t999", attempt: 1) == .stale)
        #expect(ledger.verdict(trace: "t0", attempt: 1) == .score)  // forgotten
    }
}

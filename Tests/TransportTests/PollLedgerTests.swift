import Testing

@testable import Transport
@testable import VeredictoCore

@Suite struct PollLedgerTests {
    @Test func aCommitTakesThePollsUpToItsCheckpointOldestFirst() {
        let ledger = PollLedger<String>()
        ledger.record("a")
        ledger.record("b")
        let first = ledger.checkpoint()
        ledger.record("c")
        #expect(first.polls == 2)
        #expect(ledger.take(upTo: first) == ["a", "b"])
        // Taken once: a second commit of the same checkpoint takes nothing.
        #expect(ledger.take(upTo: first).isEmpty)
        #expect(ledger.take(upTo: ledger.checkpoint()) == ["c"])
    }

    @Test func aCheckpointBeforeAnyPollTakesNothingAndLaterPollsWait() {
        let ledger = PollLedger<Int>()
        let empty = ledger.checkpoint()
        ledger.record(1)
        #expect(ledger.take(upTo: empty).isEmpty)
        #expect(ledger.take(upTo: ledger.checkpoint()) == [1])
    }

    @Test func checkpointsTakenOutOfOrderNeverReturnAPollTwice() {
        let ledger = PollLedger<Int>()
        for poll in 1...5 { ledger.record(poll) }
        let late = ledger.checkpoint()
        for poll in 6...7 { ledger.record(poll) }
        #expect(ledger.take(upTo: late) == [1, 2, 3, 4, 5])
        let early = CommitCheckpoint(polls: 3)
        #expect(ledger.take(upTo: early).isEmpty)
        #expect(ledger.take(upTo: ledger.checkpoint()) == [6, 7])
    }
}

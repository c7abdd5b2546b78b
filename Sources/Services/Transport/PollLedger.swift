import VeredictoCore

/// The polls a consumer made since its last commit, in order. Each poll records what a commit
/// of it needs (the next offsets it read, or the polled batch itself); a checkpoint names the
/// polls made so far, and a commit up to it takes their entries. The in-memory bus and the
/// Kafka transport keep their polls in one of these.
package final class PollLedger<Entry: Sendable>: Sendable {
    private struct State {
        var count = 0
        var pending: [(poll: Int, entry: Entry)] = []
    }
    private let state = LockedValue(State())

    package init() {}

    /// Records one poll.
    package func record(_ entry: Entry) {
        state.withLock { state in
            state.count += 1
            state.pending.append((state.count, entry))
        }
    }

    /// Everything polled so far.
    package func checkpoint() -> CommitCheckpoint {
        CommitCheckpoint(polls: state.withLock { $0.count })
    }

    /// Removes and returns the entries of the polls up to `checkpoint`, oldest first.
    package func take(upTo checkpoint: CommitCheckpoint) -> [Entry] {
        state.withLock { state in
            let end = state.pending.firstIndex { $0.poll > checkpoint.polls } ?? state.pending.count
            let taken = state.pending[..<end].map(\.entry)
            state.pending.removeFirst(end)
            return taken
        }
    }
}

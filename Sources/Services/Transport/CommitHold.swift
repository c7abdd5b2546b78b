import VeredictoCore

/// A batch's commit held back by its stage: the batch set some messages aside to answer later
/// (the cache service's askings that wait for an LLM chain in flight), so its offsets, and every
/// later batch's, stay uncommitted until each of them is answered and the answer acknowledged.
/// A crash before that redelivers them.
///
/// The stage creates one for a batch with `outstanding` messages set aside and calls
/// `answer(_:)` as it answers them (in the outputs of a later batch, or of the same one); the
/// runner ties each answer to the receipt of the batch whose outputs carry it (`attach`).
public final class CommitHold: Sendable {
    private struct State: Sendable {
        var outstanding: Int
        /// The receipts the answers travel with, by the runner's number of the batch that carries them.
        var receipts: [(batch: UInt64, receipt: DeliveryReceipt)] = []
    }
    private let state: LockedValue<State>

    public init(outstanding: Int) {
        state = LockedValue(State(outstanding: max(0, outstanding)))
    }

    /// One more message set aside.
    public func setAside() {
        state.withLock { $0.outstanding += 1 }
    }

    /// `count` of the messages set aside are answered by what the stage returns now.
    public func answer(_ count: Int = 1) {
        state.withLock { $0.outstanding = max(0, $0.outstanding - count) }
    }

    /// The answers given since the last `attach` travel with `receipt`, the delivery of the
    /// runner's batch number `batch`.
    package func attach(_ receipt: DeliveryReceipt, batch: UInt64) {
        state.withLock { $0.receipts.append((batch, receipt)) }
    }

    /// Batch `batch`'s delivery failed and its messages were sent again: the answers now travel
    /// with `receipt`.
    package func reattach(batch: UInt64, _ receipt: DeliveryReceipt) {
        state.withLock { state in
            state.receipts.removeAll { $0.batch == batch }
            state.receipts.append((batch, receipt))
        }
    }

    /// Messages set aside and not answered yet.
    public var outstanding: Int { state.withLock { $0.outstanding } }

    /// When every message set aside is answered, waits for the answers' acknowledgements;
    /// returns whether the hold is released (not when a delivery failed: its batch is sent
    /// again and `reattach`ed first).
    package func waitForAnswers() async -> Bool {
        guard let receipts = state.withLock({ $0.outstanding == 0 ? $0.receipts : nil }) else { return false }
        for (_, receipt) in receipts { try? await receipt.wait() }
        return isReleased
    }

    /// Whether every message set aside is answered and every answer acknowledged. A failed
    /// delivery is not an answer given: it holds until the runner's resend is acknowledged.
    public var isReleased: Bool {
        state.withLock { state in
            guard state.outstanding == 0 else { return false }
            state.receipts.removeAll { $0.receipt.isSettled && !$0.receipt.hasFailed }
            return state.receipts.isEmpty
        }
    }
}

/// What a stage tells the runner after a batch (see `PipelineStage.takeCommitHolds()`).
public struct CommitHolds: Sendable {
    /// Holds the batch just handled (nil: it may be committed as soon as it is acknowledged).
    public var held: CommitHold?
    /// Holds of earlier batches (or this one) that the batch's outputs answered.
    public var answered: [CommitHold]
    /// Topics to stop reading until a later batch says otherwise (too many messages set aside);
    /// nil: leave as they are.
    public var paused: Set<String>?

    public init(held: CommitHold? = nil, answered: [CommitHold] = [], paused: Set<String>? = nil) {
        self.held = held
        self.answered = answered
        self.paused = paused
    }

    public static let none = CommitHolds()
}

import VeredictoCore

/// One service's logic: what it reads and what it makes of a batch.
public protocol PipelineStage: MetricsReporting {
    associatedtype Input: Sendable

    /// The service name, also its consumer group.
    var name: String { get }
    /// Topics it consumes.
    var inputTopics: [String] { get }

    /// Decodes a message in place, on the consumer's side; invalid messages become dead letters.
    static func decode(_ raw: RawMessage) -> Inbound<Input>

    /// Handles a batch and returns everything it publishes. Throwing leaves the batch
    /// uncommitted: the runner retries it, so nothing is lost.
    func handle(_ inputs: [Input]) async throws -> [OutboundMessage]

    /// Called after each `handle` that returned: whether that batch's commit is held back, which
    /// earlier holds its outputs answered, and which input topics to pause (`CommitHold`).
    /// Stages that answer every input at once keep the default, `.none`.
    func takeCommitHolds() async -> CommitHolds

    /// Called when a poll brings nothing: what is due without input (the cache's askings whose
    /// chain ran past `CHAIN_TIMEOUT`). The runner publishes it like a batch that consumed
    /// nothing, with the holds it answers and the pauses it asks (`takeCommitHolds`).
    /// Default: nothing.
    func turnWithoutInput() async throws -> [OutboundMessage]

    /// Called once when the runner stops, before its last commit: outputs that hand every
    /// message still set aside to the next owner of its partition (the cache re-publishes the
    /// waiting askings to their input topic), with their holds answered, so that the batches
    /// before and after them can be committed instead of read again. Default: none.
    func handOffHeld() async -> [OutboundMessage]

    /// Called when a rebalance gave `partitions` (by topic) of the stage's inputs to another
    /// member: the messages set aside from them will be read again there (their offsets are not
    /// committed here), so the stage forgets them and answers their holds, letting the batches
    /// around them commit. Default: nothing.
    func partitionsMovedAway(_ partitions: [String: Set<Int32>]) async

    /// An input as bytes, for the dead letter of an input its stage could not handle for a
    /// reason retrying cannot change (a document the database rejects). Empty by default: the
    /// dead letter's place (topic, partition, offset) still names the record.
    static func payload(of input: Input) -> [UInt8]
}

extension PipelineStage {
    public func takeCommitHolds() async -> CommitHolds { .none }
    public func handOffHeld() async -> [OutboundMessage] { [] }
    public func turnWithoutInput() async throws -> [OutboundMessage] { [] }
    public func partitionsMovedAway(_ partitions: [String: Set<Int32>]) async {}
    public static func payload(of input: Input) -> [UInt8] { [] }
}

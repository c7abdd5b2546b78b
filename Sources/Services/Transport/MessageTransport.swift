import VeredictoCore
/// A message as a consumer hands it out: key and value point into the transport's own
/// buffer (librdkafka's, or the in-memory bus's) and are valid only while the decoding
/// closure runs, so decoding reads them in place.
public struct RawMessage {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: UnsafeRawBufferPointer
    public let value: UnsafeRawBufferPointer
    /// Why the transport refuses the record before it is decoded (unsigned or mis-signed under
    /// PIPELINE_SIGNING_KEY); the runner sends it to the dead letters with this reason.
    public let rejection: String?

    public init(topic: String, partition: Int32, offset: Int64, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                rejection: String? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.rejection = rejection
    }
}

/// A message to publish. The key is the question_id, so every asking and every attempt of a
/// question lands on one partition of each topic (`KeyPartitioner`).
public struct OutboundMessage: Sendable {
    public let topic: String
    public let key: String
    public let value: [UInt8]

    public init(topic: String, key: String, value: [UInt8]) {
        self.topic = topic
        self.key = key
        self.value = value
    }
}

/// Reads a consumer group's share of some topics.
public protocol MessageConsumer: AnyObject, Sendable {
    /// Waits up to `timeout` for messages and returns at most `maxMessages`, each decoded by
    /// `decode` from the transport's buffer.
    func poll<Decoded: Sendable>(maxMessages: Int, timeout: Duration,
                                 _ decode: @escaping @Sendable (RawMessage) -> Decoded) async throws -> [Decoded]
    /// Marks everything polled so far; `commit(upTo:)` of the mark commits it.
    func checkpoint() -> CommitCheckpoint
    /// Commits the offsets of every message polled before `checkpoint`: call it only once
    /// everything they produced is acknowledged.
    func commit(upTo checkpoint: CommitCheckpoint) async throws
    /// As `commit(upTo:)`, but may return before the transport has confirmed it (a later
    /// commit, or `close()`, completes it); a commit lost meanwhile only means messages are
    /// read again.
    func commitWithoutWaiting(upTo checkpoint: CommitCheckpoint) async throws
    /// Makes a `poll` waiting now (or the next one) return at once, possibly empty. Any
    /// thread may call it.
    func wakeUp()
    /// Stops handing out messages of `topics` (of every partition this member holds now or is
    /// given later) until called again without them; messages not handed out stay in the
    /// transport. Back-pressure for a stage that sets messages aside (`CommitHold`).
    func pause(_ topics: Set<String>) async
    /// Partitions, by topic, that a rebalance took from this member and gave to another since the
    /// last call: messages of them polled and not committed go to that member, so a stage drops
    /// what it set aside of them (`PipelineStage.partitionsMovedAway`).
    func takeMovedAway() async -> [String: Set<Int32>]
    /// Leaves the group; uncommitted messages go to the next owner of their partitions.
    func close() async
}

extension MessageConsumer {
    public func commitWithoutWaiting(upTo checkpoint: CommitCheckpoint) async throws {
        try await commit(upTo: checkpoint)
    }

    public func wakeUp() {}

    public func pause(_ topics: Set<String>) async {}

    public func takeMovedAway() async -> [String: Set<Int32>] { [:] }

    /// Commits the offsets of every message polled so far.
    public func commit() async throws {
        try await commit(upTo: checkpoint())
    }
}

/// A position in a consumer's sequence of polls (see `MessageConsumer.checkpoint`).
public struct CommitCheckpoint: Sendable, Comparable {
    public let polls: Int
    public init(polls: Int) { self.polls = polls }
    public static func < (lhs: CommitCheckpoint, rhs: CommitCheckpoint) -> Bool { lhs.polls < rhs.polls }
}

/// Publishes messages. `enqueue` hands them to the transport and returns a receipt to wait
/// on; `send` does both: it returns once the transport has acknowledged every message (for
/// Kafka: the broker, with acks=all).
public protocol MessageProducer: AnyObject, Sendable {
    func enqueue(_ messages: [OutboundMessage]) async throws -> DeliveryReceipt
    func close() async
}

extension MessageProducer {
    public func send(_ messages: [OutboundMessage]) async throws {
        try await enqueue(messages).wait()
    }
}

/// The acknowledgement of one set of enqueued messages.
public struct DeliveryReceipt: Sendable {
    private let waitBody: @Sendable () async throws -> Void
    private let settledBody: @Sendable () -> Bool
    private let notifyBody: @Sendable (@escaping @Sendable () -> Void) -> Void
    private let failedBody: @Sendable () -> Bool

    /// `whenSettled` registers a closure to call once, from any thread, when the set is settled
    /// (at once if it is already); `hasFailed` tells whether it settled by a failure (a
    /// transport that cannot fail leaves it false).
    public init(wait: @escaping @Sendable () async throws -> Void, isSettled: @escaping @Sendable () -> Bool,
                whenSettled: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
                hasFailed: @escaping @Sendable () -> Bool = { false }) {
        waitBody = wait
        settledBody = isSettled
        notifyBody = whenSettled
        failedBody = hasFailed
    }

    /// A receipt for messages acknowledged already.
    public static let acknowledged = DeliveryReceipt(wait: {}, isSettled: { true }, whenSettled: { $0() })

    /// Calls `body` once every message is acknowledged or one has failed, on whatever thread
    /// learns it (at once if that is already so). Keep it short: it may run on a transport's
    /// own thread.
    public func whenSettled(_ body: @escaping @Sendable () -> Void) { notifyBody(body) }

    /// Waits until every message is acknowledged; throws if one failed.
    public func wait() async throws { try await waitBody() }

    /// Whether waiting would return at once.
    public var isSettled: Bool { settledBody() }

    /// Whether a message of the set failed (waiting would throw at once).
    public var hasFailed: Bool { failedBody() }
}

/// Where services read and write: Kafka, or the in-memory bus of the embedded mode.
public protocol MessageTransport: Sendable {
    /// A member of consumer group `group` reading `topics`.
    func makeConsumer(group: String, topics: [String]) async throws -> any MessageConsumer
    func makeProducer() async throws -> any MessageProducer
    /// The partition count of each of `topics` that exists (for the co-partitioning check).
    func partitionCounts(of topics: [String]) async throws -> [String: Int]
    /// How the threads of the transport's client library are named (`rdk:` for librdkafka's),
    /// so that a run reports their CPU apart; nil when the transport starts no threads.
    var clientThreadPrefix: String? { get }
}

extension MessageTransport {
    public var clientThreadPrefix: String? { nil }

    /// None known: no check.
    public func partitionCounts(of topics: [String]) async throws -> [String: Int] { [:] }

    /// Refuses topics that a stage needs co-partitioned (the cache's inputs: a question's
    /// askings, attempts and decision must reach one member) unless they have equal partition
    /// counts. Each member is then given the same partition numbers of each topic (the range
    /// assignor over Kafka, the bus's own assignment in memory), and equal keys land on equal
    /// numbers. Topics that do not exist yet are not checked.
    public func checkCoPartitioned(_ topics: [String], for stage: String) async throws {
        let counts = try await partitionCounts(of: topics)
        let known = topics.compactMap { topic in counts[topic].map { (topic, $0) } }
        guard Set(known.map(\.1)).count > 1 else { return }
        let listed = known.map { "\($0.0) has \($0.1)" }.joined(separator: ", ")
        throw ConfigurationError(
            "\(stage): its input topics must have equal partition counts (\(listed)); recreate them with one count")
    }
}

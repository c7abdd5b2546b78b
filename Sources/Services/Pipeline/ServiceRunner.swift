/// One service's logic: what it reads and what it makes of a batch.
public protocol PipelineStage: Sendable {
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
}

/// A consumed message: decoded, or unreadable with the reason.
public enum Inbound<Input: Sendable>: Sendable {
    case message(Input)
    case invalid(InvalidMessage)
}

/// An unreadable message, kept whole for the dead-letter topic.
public struct InvalidMessage: Sendable, Equatable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    /// The record's key (empty when it had none).
    public let key: [UInt8]
    public let reason: String
    public let payload: [UInt8]

    public init(_ raw: RawMessage, reason: String) {
        topic = raw.topic
        partition = raw.partition
        offset = raw.offset
        key = Array(raw.key)
        self.reason = reason
        payload = Array(raw.value)
    }
}

/// Counters of one running service.
public struct ServiceCounters: Sendable {
    public var batches = 0
    public var consumed = 0
    public var produced = 0
    public var deadLetters = 0
    public var retriedBatches = 0
}

/// Runs a stage: poll a batch, decode it in place, handle it, publish everything it
/// produced (and dead letters for what could not be read), wait until the transport has
/// acknowledged all of it, then commit the batch's offsets. A crash at any point before
/// the commit redelivers the batch; the store's idempotence absorbs the repeat.
public actor ServiceRunner<Stage: PipelineStage> {
    public let stage: Stage
    private let consumer: any MessageConsumer
    private let producer: any MessageProducer
    private let batchSize: Int
    private let pollTimeout: Duration
    private let deadLetterTopic: String
    private let retryDelay: Duration
    private let onError: @Sendable (String) -> Void
    public private(set) var counters = ServiceCounters()

    public init(stage: Stage, consumer: any MessageConsumer, producer: any MessageProducer, batchSize: Int = 1000,
                pollTimeout: Duration = .milliseconds(50), deadLetterTopic: String,
                retryDelay: Duration = .milliseconds(500), onError: @escaping @Sendable (String) -> Void = { _ in }) {
        self.stage = stage
        self.consumer = consumer
        self.producer = producer
        self.batchSize = batchSize
        self.pollTimeout = pollTimeout
        self.deadLetterTopic = deadLetterTopic
        self.retryDelay = retryDelay
        self.onError = onError
    }

    /// Runs until the task is cancelled; the batch in hand is finished and committed first.
    /// A failed poll or commit (a broker restart, a rebalance) is logged and retried: the
    /// uncommitted batch comes back, so nothing is lost.
    public func run() async throws {
        while !Task.isCancelled {
            do {
                try await runOnce()
            } catch {
                if Task.isCancelled { break }
                onError("\(stage.name): \(error); retrying")
                try? await Task.sleep(for: retryDelay)
            }
        }
        await consumer.close()
        await producer.close()
    }

    /// Polls and processes one batch (nothing when none arrives in time). Returns the
    /// number of messages consumed.
    @discardableResult
    public func runOnce() async throws -> Int {
        let batch = try await consumer.poll(maxMessages: batchSize, timeout: pollTimeout, Stage.decode)
        if batch.isEmpty { return 0 }
        var inputs: [Stage.Input] = []
        inputs.reserveCapacity(batch.count)
        var outbound: [OutboundMessage] = []
        for item in batch {
            switch item {
            case .message(let input): inputs.append(input)
            case .invalid(let invalid): outbound.append(DeadLetters.message(for: invalid, topic: deadLetterTopic))
            }
        }
        let deadLetters = outbound.count
        // Handle and publish until it works: an uncommitted batch is never dropped.
        while true {
            do {
                var produced = outbound
                if !inputs.isEmpty { produced += try await stage.handle(inputs) }
                try await producer.send(produced)
                counters.produced += produced.count
                break
            } catch {
                if Task.isCancelled { throw error }
                counters.retriedBatches += 1
                onError("\(stage.name): batch of \(inputs.count) failed, retrying: \(error)")
                try await Task.sleep(for: retryDelay)
            }
        }
        try await consumer.commit()
        counters.batches += 1
        counters.consumed += batch.count
        counters.deadLetters += deadLetters
        return batch.count
    }
}

/// Encodes dead letters (`DeadLetter`, docs/messages.md): the unreadable message whole, where
/// it came from, why, and when it was set aside, keyed by the original record's key (by its
/// place, `topic/partition/offset`, when it had none).
public enum DeadLetters {
    public static func message(for invalid: InvalidMessage, topic: String, at time: Timestamp = .now()) -> OutboundMessage {
        let letter = DeadLetter(sourceTopic: invalid.topic, partition: Int(invalid.partition), offset: invalid.offset,
                                reason: invalid.reason, payload: String(decoding: invalid.payload, as: UTF8.self),
                                producedAt: time)
        let key = invalid.key.isEmpty ? "\(invalid.topic)/\(invalid.partition)/\(invalid.offset)"
            : String(decoding: invalid.key, as: UTF8.self)
        return OutboundMessage(topic: topic, key: key, value: letter.jsonBytes)
    }
}

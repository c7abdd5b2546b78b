import Logging
import Observability
import Transport
import VeredictoCore

/// The services' transport over Kafka (librdkafka): consumer-group members that decode
/// straight from librdkafka's buffers and commit on demand, and a producer whose `send`
/// returns once the broker has acknowledged every message (acks=all).
public struct KafkaTransport: MessageTransport {
    public let bootstrapServers: [String]
    /// Group session timeout (a short one makes the first join quick on test brokers).
    public var sessionTimeout: Duration = .seconds(45)
    /// `KafkaConsumerConfiguration.gapPatience` of every consumer.
    public var gapPatience: Duration = .seconds(30)
    /// librdkafka keys for every client (SASL/SSL settings and the like).
    public var extra: [String: String] = [:]
    /// How long `send` waits for acknowledgements before failing the batch.
    public var deliveryWait: Duration = .seconds(120)
    /// Producer linger: a stage publishes a whole batch at once, so a short linger still
    /// fills record batches, and each hop adds at most this much latency.
    public var linger: Duration = .milliseconds(1)
    /// Record-batch compression of the services' producers (`KAFKA_COMPRESSION`): zstd, the
    /// smallest batches on the wire and on the broker's disk. Over Kafka it is also the largest
    /// single CPU cost of a message (23 % of the pipeline process's CPU, compressing in the
    /// producers and decompressing in the consumers); lz4 trades bytes for that CPU
    /// (docs/benchmarks.md, "Kafka layer, round two"), and so, less, does zstd's level 1, the
    /// default (`compressionLevel`).
    public var compression: KafkaCompression = .zstd
    /// Its level (`KAFKA_COMPRESSION_LEVEL`); nil: `KafkaProducerConfiguration`'s default (1
    /// with zstd).
    public var compressionLevel: Int?
    /// Called with each polled batch's hop latencies by topic (milliseconds from the record's
    /// produce timestamp to the poll): `veredicto run` keeps them per topic, `serve` exports
    /// them as a histogram. Nil: not measured.
    public var onHops: (@Sendable (_ topic: String, _ milliseconds: [Double]) -> Void)?
    public var logger = Logger(label: "veredicto.kafka")
    /// The largest record value the services read or publish (`MAX_MESSAGE_BYTES`): the
    /// producers' `message.max.bytes` leaves room for it and its key, and the consumers fetch
    /// records at least that large (the runner sets larger ones aside as dead letters).
    public var maxMessageBytes = MessageDomain.defaultMaximumMessageBytes
    /// librdkafka's threads (`ThreadCPU.librdkafkaPrefix`).
    public var clientThreadPrefix: String? { ThreadCPU.librdkafkaPrefix }

    /// Room for a record's key, headers and framing above its value.
    static let recordOverheadBytes = 65_536
    /// Every consumer made is registered here, for the readiness probe. Nil: not watched.
    public var watch: KafkaConsumerWatch?
    /// With a signer (PIPELINE_SIGNING_KEY), every record produced carries its signature and
    /// every record consumed without a valid one is refused (a dead letter, "unauthenticated").
    public var signer: MessageSigner?

    public init(bootstrapServers: [String]) {
        self.bootstrapServers = bootstrapServers
    }

    public func makeConsumer(group: String, topics: [String]) async throws -> any MessageConsumer {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: group, topics: topics)
        configuration.sessionTimeout = sessionTimeout
        configuration.gapPatience = gapPatience
        // A pipeline stage is a hop of the end-to-end latency: do not let the broker hold a
        // fetch for librdkafka's default 500 ms waiting for more bytes. Shorter is not better:
        // against Tansu, 2 ms tripled the p99 at 8,000 questions/s (80 -> 380 ms), the extra
        // fetches queueing behind the produce requests on a busy broker.
        let fetchBytes = String(max(1_048_576, maxMessageBytes + Self.recordOverheadBytes))
        configuration.extra = ["fetch.wait.max.ms": "10", "socket.nagle.disable": "true",
                               "max.partition.fetch.bytes": fetchBytes]
            .merging(extra) { $1 }
        // Co-partitioning: with equal partition counts, the range assignor gives a member the
        // same partition numbers of every topic it reads, so the cache instance that owns a
        // question's askings also reads its decisions. Not open to KAFKA_CONFIG: another
        // assignor would split them.
        configuration.extra["partition.assignment.strategy"] = "range"
        try configuration.validate()
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        watch?.register(consumer)
        return KafkaGroupConsumer(consumer: consumer, onHops: onHops, signer: signer)
    }

    public func makeProducer() async throws -> any MessageProducer {
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        configuration.linger = linger
        configuration.compression = compression
        configuration.compressionLevel = compressionLevel
        // Small produce requests must not wait for Nagle's algorithm (a 40 ms delayed-ACK stall).
        configuration.extra = ["socket.nagle.disable": "true",
                               "message.max.bytes": String(maxMessageBytes + Self.recordOverheadBytes)]
            .merging(extra) { $1 }
        // Keys are question ids; `KeyPartitioner` computes this partitioner's choice.
        configuration.extra["partitioner"] = "consistent_random"
        try configuration.validate()
        return KafkaAcknowledgedProducer(producer: try KafkaProducer(configuration: configuration, logger: logger),
                                         wait: deliveryWait, signer: signer)
    }

    public func partitionCounts(of topics: [String]) async throws -> [String: Int] {
        var configuration = KafkaAdminConfiguration(bootstrapServers: bootstrapServers)
        configuration.extra = extra
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        let wanted = Set(topics)
        var counts: [String: Int] = [:]
        for topic in try await admin.listTopics() where wanted.contains(topic.name) { counts[topic.name] = topic.partitionCount }
        return counts
    }

    /// Creates the pipeline's topics (existing ones are left as they are).
    public func createTopics(_ names: [String], partitions: Int) async throws {
        var configuration = KafkaAdminConfiguration(bootstrapServers: bootstrapServers)
        configuration.extra = extra
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        try await admin.createTopics(names.map { KafkaTopicSpecification(name: $0, partitions: partitions) })
    }
}

/// A consumer-group member: holds the batches polled since the last commit and commits
/// them together.
final class KafkaGroupConsumer: MessageConsumer {
    private let consumer: KafkaConsumer
    /// The batches polled since the last commit.
    private let polls = PollLedger<KafkaMessageBatch>()
    private let onHops: (@Sendable (String, [Double]) -> Void)?
    private let signer: MessageSigner?

    init(consumer: KafkaConsumer, onHops: (@Sendable (String, [Double]) -> Void)? = nil, signer: MessageSigner? = nil) {
        self.consumer = consumer
        self.onHops = onHops
        self.signer = signer
    }

    func poll<Decoded: Sendable>(maxMessages: Int, timeout: Duration,
                                 _ decode: @escaping @Sendable (RawMessage) -> Decoded) async throws -> [Decoded] {
        let batch = try await consumer.poll(maxMessages: maxMessages, timeout: timeout)
        guard !batch.isEmpty || !batch.corruptPlaces.isEmpty else { return [] }
        // Hop latencies by topic (a batch mixes topics when the stage reads several).
        let now = onHops == nil ? 0 : HopLatencies.nowMilliseconds()
        var hops: [String: [Double]] = [:]
        var decoded: [Decoded] = []
        decoded.reserveCapacity(batch.count)
        for message in batch {
            let topic = message.topic
            if onHops != nil, let produced = message.timestampMilliseconds {
                hops[topic, default: []].append(max(0, now - Double(produced)))
            }
            let key = message.key ?? UnsafeRawBufferPointer(start: nil, count: 0)
            var rejection: String?
            if let signer {
                let signature = message.header(MessageSigner.header)
                if !signer.verify(signature, topic: topic, key: message.key, value: message.payload) {
                    rejection = signature == nil ? "unauthenticated: no \(MessageSigner.header) header"
                        : "unauthenticated: the \(MessageSigner.header) signature does not match"
                }
            }
            decoded.append(decode(RawMessage(topic: topic, partition: message.partition, offset: message.offset,
                                             key: key, value: message.payload, rejection: rejection)))
        }
        // An unreadable record batch becomes an empty record at its base offset, refused, so the
        // runner dead-letters the place; its offset is among the batch's commit positions.
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        for place in batch.corruptPlaces {
            decoded.append(decode(RawMessage(topic: place.partition.topic, partition: place.partition.partition,
                                             offset: place.offset, key: empty, value: empty,
                                             rejection: "record batch does not decompress: \(place.detail)")))
        }
        if let onHops { for (topic, values) in hops { onHops(topic, values) } }
        polls.record(batch)
        return decoded
    }

    func checkpoint() -> CommitCheckpoint { polls.checkpoint() }

    /// Commits the batches polled up to `checkpoint`; the last of them per partition carries
    /// the highest offset, and one commit covers them all.
    func commit(upTo checkpoint: CommitCheckpoint) async throws {
        for batch in batchesToCommit(upTo: checkpoint) { try await consumer.commit(batch) }
    }

    func commitWithoutWaiting(upTo checkpoint: CommitCheckpoint) async throws {
        for batch in batchesToCommit(upTo: checkpoint) { try consumer.commitWithoutWaiting(batch) }
    }

    func wakeUp() {
        consumer.wakeUp()
    }

    func pause(_ topics: Set<String>) async {
        consumer.pause(topics: topics)
    }

    func takeMovedAway() async -> [String: Set<Int32>] {
        var moved: [String: Set<Int32>] = [:]
        for place in consumer.takeMovedAway() { moved[place.topic, default: []].insert(place.partition) }
        return moved
    }

    /// Takes the batches polled up to `checkpoint` and keeps those a commit needs: a batch
    /// only for a partition no newer batch covers, since newer batches carry higher offsets
    /// (usually one batch covers them all).
    private func batchesToCommit(upTo checkpoint: CommitCheckpoint) -> [KafkaMessageBatch] {
        let batches = polls.take(upTo: checkpoint)
        var covered = Set<KafkaTopicPartition>()
        var needed: [KafkaMessageBatch] = []
        for batch in batches.reversed() {
            let partitions = Set(batch.nextOffsets.keys)
            if !partitions.isSubset(of: covered) {
                needed.append(batch)
                covered.formUnion(partitions)
            }
        }
        return needed.reversed()
    }

    func close() async {
        try? await consumer.close()
    }
}

/// A producer whose `send` waits for the broker's acknowledgement of the whole set.
final class KafkaAcknowledgedProducer: MessageProducer {
    private let producer: KafkaProducer
    private let wait: Duration
    private let signer: MessageSigner?

    init(producer: KafkaProducer, wait: Duration, signer: MessageSigner? = nil) {
        self.producer = producer
        self.wait = wait
        self.signer = signer
    }

    func enqueue(_ messages: [OutboundMessage]) async throws -> DeliveryReceipt {
        guard !messages.isEmpty else { return .acknowledged }
        let group = DeliveryGroup()
        for message in messages {
            guard let signer else {
                try producer.send(topic: message.topic, key: message.key, value: message.value, group: group)
                continue
            }
            var key = message.key
            try key.withUTF8 { keyBytes in
                try message.value.withUnsafeBytes { value in
                    let signature = signer.signature(topic: message.topic, key: UnsafeRawBufferPointer(keyBytes), value: value)
                    try producer.send(topic: message.topic, key: UnsafeRawBufferPointer(keyBytes), value: value, group: group,
                                      header: (MessageSigner.header, signature))
                }
            }
        }
        let wait = self.wait
        return DeliveryReceipt(wait: { try await group.wait(timeout: wait) },
                               isSettled: { group.isSettled },
                               whenSettled: { group.whenSettled($0) },
                               hasFailed: { group.firstFailure != nil })
    }

    func close() async {
        try? await producer.close()
    }
}

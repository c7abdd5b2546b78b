import Foundation
import Logging
import Kafka
import Transport
import Dataset
import Observability
import VeredictoCore

/// Measures how fast the Kafka layer moves question-sized messages through a broker: produces
/// `messageCount` synthetic ~700-byte JSON question messages to a fresh one-partition topic
/// (zstd at level 1: `KafkaProducerConfiguration`'s defaults, which the services' producers also
/// use and `scripts/kafka_baseline.py` gives confluent-kafka), then reads them back with a new
/// consumer group, committing each batch as the services do: queued, without waiting for the
/// broker (confluent-kafka's baseline commits automatically, every 5 s, in the background).
///
/// The first message is sent alone and acknowledged before the clock starts, so that connecting
/// and getting the idempotent producer's id (about 0.5 s on Tansu) are not counted; produce time
/// then runs from the next `send` until every delivery is acknowledged. Consume time runs from
/// the group's first partition assignment until the last message (the group join before it is
/// reported apart). The compressed size comes from librdkafka's statistics, emitted once a
/// second (emitting them more often slowed producing down noticeably). The topic is left
/// behind: run it against a throw-away broker.
public struct KafkaThroughputProbe: Sendable {
    public struct Measurement: Sendable, CustomStringConvertible {
        public var messages: Int
        /// Messages sent while the produce clock ran (all but the warm-up message).
        public var timedProduceMessages: Int
        /// Bytes of the message values (JSON), keys excluded.
        public var payloadBytes: Int
        /// Bytes of the keys (32-character trace ids).
        public var keyBytes: Int
        public var produceSeconds: Double
        public var consumeSeconds: Double
        /// From subscribing to the first partition assignment.
        public var groupJoinSeconds: Double
        /// Bytes of the record batches as sent, after compression (librdkafka statistics), if known.
        public var compressedBatchBytes: Int?
        /// Bytes written to the brokers, protocol overhead included (librdkafka statistics), if known.
        public var wireBytes: Int?
        public var librdkafkaVersion: String
        /// Where the CPU time of consuming went, when /proc/self/task can be read.
        public var consumeCPU: ConsumeCPU?

        public var produceMessagesPerSecond: Double { Double(timedProduceMessages) / produceSeconds }
        public var consumeMessagesPerSecond: Double { Double(messages) / consumeSeconds }

        /// Key and value bytes over compressed batch bytes (batch framing included).
        public var compressionRatio: Double? {
            guard let compressedBatchBytes, compressedBatchBytes > 0 else { return nil }
            return Double(payloadBytes + keyBytes) / Double(compressedBatchBytes)
        }

        public var description: String {
            let ratio = compressionRatio.map { String(format: "%.2f", $0) } ?? "unknown"
            return String(
                format: "%d messages, %d payload bytes (avg %.0f B): produce %.0f msg/s, consume %.0f msg/s "
                    + "(group join %.1f s), zstd ratio %@, librdkafka %@",
                messages, payloadBytes, Double(payloadBytes) / Double(max(messages, 1)), produceMessagesPerSecond,
                consumeMessagesPerSecond, groupJoinSeconds, ratio, librdkafkaVersion)
        }
    }

    /// The CPU time of this process's threads from the consumer's start to the last message
    /// (the group join included: heartbeats and metadata, a few milliseconds).
    public struct ConsumeCPU: Sendable, Equatable, Codable {
        /// librdkafka's busiest broker thread: it fetches, decompresses and parses the batches.
        public var fetchThreadSeconds: Double
        /// All of librdkafka's threads (the fetch thread included).
        public var librdkafkaSeconds: Double
        /// Every other thread of the process: the poll loop, which takes the messages and commits.
        public var otherSeconds: Double

        public init(fetchThreadSeconds: Double, librdkafkaSeconds: Double, otherSeconds: Double) {
            self.fetchThreadSeconds = fetchThreadSeconds
            self.librdkafkaSeconds = librdkafkaSeconds
            self.otherSeconds = otherSeconds
        }

        /// From the threads' CPU time over a consume: `spent` as `ThreadCPU.spent` gives it.
        public init(spent: [ThreadCPU]) {
            let librdkafka = spent.filter(\.isLibrdkafka)
            fetchThreadSeconds = librdkafka.filter { $0.name.hasPrefix(ThreadCPU.librdkafkaPrefix + "broker") }.map(\.seconds).max() ?? 0
            librdkafkaSeconds = librdkafka.reduce(0) { $0 + $1.seconds }
            otherSeconds = spent.filter { !$0.isLibrdkafka }.reduce(0) { $0 + $1.seconds }
        }
    }

    public var bootstrapServers: [String]
    public var messageCount: Int
    /// librdkafka properties for all three clients (e.g. SASL/SSL).
    public var extra: [String: String] = [:]
    /// The consumer's session timeout; the first join on Tansu takes about half of it.
    public var sessionTimeout: Duration = .seconds(10)
    /// Gives up (`.timedOut`) after this long in all.
    public var timeout: Duration = .seconds(180)

    public init(bootstrapServers: [String], messageCount: Int) {
        self.bootstrapServers = bootstrapServers
        self.messageCount = messageCount
    }

    public func run(logger: Logger = Logger(label: "veredicto.kafka.probe")) async throws -> Measurement {
        guard messageCount >= 2 else {
            throw KafkaError(.invalidArgument, "KafkaThroughputProbe.messageCount must be at least 2, got \(messageCount)")
        }
        let deadline = ContinuousClock.now + timeout
        let messages = SyntheticQuestionMessages(count: messageCount)
        let topic = "veredicto-probe-\(UInt64.random(in: 0...UInt64.max))"

        var adminConfiguration = KafkaAdminConfiguration(bootstrapServers: bootstrapServers)
        adminConfiguration.extra = extra
        try await KafkaAdmin(configuration: adminConfiguration, logger: logger)
            .createTopic(topic, partitions: 1, timeout: min(timeout, .seconds(30)))

        let statistics = ProducerBatchStatistics(topic: topic)
        let produceSeconds = try await produce(messages, to: topic, statistics: statistics, deadline: deadline, logger: logger)
        let (consumeSeconds, joinSeconds, consumedBytes, consumeCPU) = try await consume(
            messageCount, from: topic, deadline: deadline, logger: logger)
        guard consumedBytes == messages.valueBytes.count else {
            throw KafkaError(.broker, "consumed \(consumedBytes) payload bytes, produced \(messages.valueBytes.count)")
        }
        let totals = statistics.snapshot
        return Measurement(
            messages: messageCount, timedProduceMessages: messageCount - 1,
            payloadBytes: messages.valueBytes.count, keyBytes: messages.keyBytes.count,
            produceSeconds: produceSeconds, consumeSeconds: consumeSeconds, groupJoinSeconds: joinSeconds,
            compressedBatchBytes: totals.batchBytes > 0 ? totals.batchBytes : nil,
            wireBytes: totals.wireBytes > 0 ? totals.wireBytes : nil, librdkafkaVersion: KafkaLibrary.version,
            consumeCPU: consumeCPU)
    }

    private func produce(_ messages: SyntheticQuestionMessages, to topic: String, statistics: ProducerBatchStatistics,
                         deadline: ContinuousClock.Instant, logger: Logger) async throws -> Double {
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)  // pipeline defaults
        configuration.statisticsInterval = .seconds(1)
        configuration.extra = extra
        let producer = try KafkaProducer(configuration: configuration, logger: logger,
                                         statistics: { statistics.record(json: $0) })
        let warmUp = DeliveryGroup()
        try messages.withMessage(0) { key, value in
            try producer.send(topic: topic, key: key, value: value, group: warmUp)
        }
        try await warmUp.wait(timeout: deadline - .now)
        let group = DeliveryGroup()
        let start = ContinuousClock.now
        for index in 1..<messages.count {
            try messages.withMessage(index) { key, value in
                try producer.send(topic: topic, key: key, value: value, group: group)
            }
        }
        try await group.wait(timeout: deadline - .now)
        let seconds = Self.seconds(ContinuousClock.now - start)
        // Two more statistics emissions, so the last batches' window is surely counted.
        let emissionsBefore = statistics.snapshot.emissions
        let statisticsDeadline = ContinuousClock.now + .milliseconds(2500)
        while statistics.snapshot.emissions <= emissionsBefore + 1, ContinuousClock.now < statisticsDeadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await producer.close(timeout: max(.seconds(1), deadline - .now))
        logger.info("probe produced", metadata: ["counters": "\(producer.counters)", "seconds": "\(seconds)"])
        return seconds
    }

    private func consume(_ count: Int, from topic: String, deadline: ContinuousClock.Instant,
                         logger: Logger) async throws -> (seconds: Double, join: Double, bytes: Int, cpu: ConsumeCPU?) {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: "\(topic)-group",
                                                       topics: [topic])
        configuration.sessionTimeout = sessionTimeout
        configuration.maxBatchSize = 10_000
        configuration.extra = extra
        let subscribed = ContinuousClock.now
        let threadsBefore = ThreadCPU.all()
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger, statistics: nil)
        var received = 0
        var bytes = 0
        var end = ContinuousClock.now
        do {
            while received < count {
                guard ContinuousClock.now < deadline else {
                    throw KafkaError(.timedOut, "probe consumed \(received) of \(count) messages before its timeout")
                }
                let batch = try await consumer.poll(timeout: .milliseconds(500))
                guard !batch.isEmpty else { continue }
                received += batch.count
                bytes += batch.payloadBytes
                end = ContinuousClock.now
                // As the services commit: queued, not waited for (`commitWithoutWaiting`);
                // close() completes the commits in flight before it leaves the group.
                try consumer.commitWithoutWaiting(batch)
            }
        } catch {
            try? await consumer.close()
            throw error
        }
        let threadsAfter = ThreadCPU.all()
        try await consumer.close()
        let assigned = consumer.firstAssignment ?? subscribed
        let cpu = threadsBefore.isEmpty || threadsAfter.isEmpty
            ? nil : ConsumeCPU(spent: ThreadCPU.spent(from: threadsBefore, to: threadsAfter))
        return (Self.seconds(end - assigned), Self.seconds(assigned - subscribed), bytes, cpu)
    }

    private static func seconds(_ duration: Duration) -> Double { duration.inSeconds }
}

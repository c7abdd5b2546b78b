import Testing
import TestSupport

import Kafka
import Transport
import VeredictoCore

/// Keys are question ids: a key lands on the partition `KeyPartitioner` computes (the cache
/// relies on it to find misplaced questions), and the cache's input topics must be
/// co-partitioned. Against the test broker.
@Suite("Question keys and co-partitioning (broker)", .timeLimit(.minutes(3)))
struct KafkaQuestionKeyTests {
    static func transport() throws -> KafkaTransport {
        var transport = KafkaTransport(bootstrapServers: try TestBroker.bootstrapServers())
        transport.sessionTimeout = .seconds(10)
        return transport
    }

    @Test func keysLandOnThePartitionKeyPartitionerComputes() async throws {
        let topic = TestBroker.uniqueName("question-keys")
        let partitions = 4
        try await TestBroker.admin().createTopic(topic, partitions: partitions)
        let keys = (0..<200).map { "q\($0)" }
        // The services' producer, and a plain librdkafka producer with its default partitioner
        // (as kcat or confluent-kafka publish by hand).
        let producer = try await Self.transport().makeProducer()
        try await producer.send(keys.map { OutboundMessage(topic: topic, key: $0, value: Array("services".utf8)) })
        await producer.close()
        let plain = try TestBroker.producer()
        let group = DeliveryGroup()
        for key in keys { try plain.send(topic: topic, key: key, value: Array("plain".utf8), group: group) }
        try await group.wait(timeout: .seconds(30))
        try await plain.close()

        let consumer = try TestBroker.consumer(group: TestBroker.uniqueName("question-keys-group"), topic: topic)
        var misplaced: [String] = []
        var used = Set<Int32>()
        try await consumer.consume(count: 2 * keys.count, timeout: .seconds(60), commit: false) { message in
            let key = message.key?.text ?? ""
            used.insert(message.partition)
            if Int(message.partition) != KeyPartitioner.partition(forKey: key, partitions: partitions) {
                misplaced.append("\(key) (\(message.payload.text)) on \(message.partition)")
            }
        }
        try await consumer.close()
        #expect(misplaced.isEmpty, "\(misplaced.prefix(10))")
        #expect(used.count == partitions)
    }

    @Test func theCacheInputsMustHaveEqualPartitionCounts() async throws {
        let transport = try Self.transport()
        let names = (0..<3).map { TestBroker.uniqueName("copartition-\($0)") }
        let admin = try TestBroker.admin()
        try await admin.createTopic(names[0], partitions: 4)
        try await admin.createTopic(names[1], partitions: 4)
        try await admin.createTopic(names[2], partitions: 2)
        await #expect(throws: ConfigurationError.self) {
            try await transport.checkCoPartitioned(names, for: "cache")
        }
        do {
            try await transport.checkCoPartitioned(names, for: "cache")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("\(names[2]) has 2") && error.description.contains("\(names[0]) has 4"))
        }
        try await transport.checkCoPartitioned(Array(names.prefix(2)), for: "cache")
    }

    @Test func aPausedTopicIsNotReadUntilResumedAcrossTheGroupJoin() async throws {
        let transport = try Self.transport()
        let held = TestBroker.uniqueName("paused")
        let open = TestBroker.uniqueName("open")
        let admin = try TestBroker.admin()
        try await admin.createTopic(held, partitions: 2)
        try await admin.createTopic(open, partitions: 2)
        let producer = try await transport.makeProducer()
        try await producer.send((0..<20).map { OutboundMessage(topic: $0 < 10 ? held : open, key: "k\($0)", value: [1]) })
        await producer.close()

        let consumer = try await transport.makeConsumer(group: TestBroker.uniqueName("pause-group"), topics: [held, open])
        // Paused before the group join: the partitions start paused when they are assigned.
        await consumer.pause([held])
        var read: [String: Int] = [:]
        let clock = ContinuousClock()
        var deadline = clock.now + .seconds(30)
        while read[open, default: 0] < 10 && clock.now < deadline {
            for topic in try await consumer.poll(maxMessages: 100, timeout: .milliseconds(200), { $0.topic }) {
                read[topic, default: 0] += 1
            }
        }
        // A little longer, for anything of the paused topic that would come.
        for _ in 0..<5 {
            for topic in try await consumer.poll(maxMessages: 100, timeout: .milliseconds(200), { $0.topic }) {
                read[topic, default: 0] += 1
            }
        }
        #expect(read[open] == 10 && read[held] == nil, "\(read)")
        await consumer.pause([])
        deadline = clock.now + .seconds(30)
        while read[held, default: 0] < 10 && clock.now < deadline {
            for topic in try await consumer.poll(maxMessages: 100, timeout: .milliseconds(200), { $0.topic }) {
                read[topic, default: 0] += 1
            }
        }
        #expect(read[held] == 10)
        await consumer.close()
    }
}

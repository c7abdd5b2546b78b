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
}

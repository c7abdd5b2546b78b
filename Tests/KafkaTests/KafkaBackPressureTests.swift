import Testing
import TestSupport

import Kafka

/// A full local queue makes `send` wait for deliveries, and give up after `enqueueTimeout`.
@Suite("Kafka producer back-pressure", .timeLimit(.minutes(5)))
struct KafkaBackPressureTests {
    /// No broker listens on this loopback port, so nothing is ever delivered.
    func unreachableProducer(maxQueuedMessages: Int) throws -> KafkaProducer {
        var configuration = KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:1"])
        configuration.maxQueuedMessages = maxQueuedMessages
        configuration.enqueueTimeout = .milliseconds(200)
        return try KafkaProducer(configuration: configuration, logger: TestBroker.logger)
    }

    @Test func fullQueueThrowsAfterTheEnqueueTimeout() async throws {
        let producer = try unreachableProducer(maxQueuedMessages: 5)
        let group = DeliveryGroup()
        for index in 0..<5 {
            try producer.send(topic: "nowhere", key: nil, value: Array("m\(index)".utf8), group: group)
        }
        let start = ContinuousClock.now
        let error = #expect(throws: KafkaError.self) {
            try producer.send(topic: "nowhere", key: nil, value: Array("one too many".utf8), group: group)
        }
        #expect(error?.code == .queueFull)
        #expect(ContinuousClock.now - start >= .milliseconds(200))
        #expect(group.pendingCount == 5, "the refused message is not awaited")
        #expect(producer.counters.sent == 5)
        await #expect(throws: KafkaError.self) { try await producer.close(timeout: .milliseconds(100)) }
    }

    @Test func closingWithUndeliveredMessagesFailsTheirGroup() async throws {
        let producer = try unreachableProducer(maxQueuedMessages: 100)
        let group = DeliveryGroup()
        for index in 0..<3 {
            try producer.send(topic: "nowhere", key: "k", value: Array("m\(index)".utf8), group: group)
        }
        let closeError = await #expect(throws: KafkaError.self) { try await producer.close(timeout: .milliseconds(200)) }
        #expect(closeError?.code == .timedOut)
        let waitError = await #expect(throws: KafkaError.self) { try await group.wait(timeout: .seconds(5)) }
        #expect(waitError?.code == .purged)
        #expect(group.failedCount == 3)
        #expect(producer.counters.failed == 3)
        #expect(throws: KafkaError.self) { try producer.send(topic: "nowhere", key: nil, value: [1]) }
    }

    @Test func smallQueueStillDeliversEverything() async throws {
        let topic = TestBroker.uniqueName("backpressure")
        try await TestBroker.admin().createTopic(topic, partitions: 1)
        var configuration = KafkaProducerConfiguration(bootstrapServers: try TestBroker.bootstrapServers())
        configuration.maxQueuedMessages = 50
        let producer = try KafkaProducer(configuration: configuration, logger: TestBroker.logger)
        let group = DeliveryGroup()
        for index in 0..<5000 {
            try producer.send(topic: topic, key: nil, value: Array("message \(index)".utf8), group: group)
        }
        try await group.wait(timeout: .seconds(60))
        try await producer.close()
        #expect(group.acknowledgedCount == 5000)
        #expect(producer.counters.delivered == 5000)
    }
}

import Foundation
import Testing
import TestSupport

import Kafka

/// Against a real broker (scripts/test-env.sh starts Tansu and sets VEREDICTO_TEST_KAFKA). Each
/// test uses its own topic and group names.
@Suite("Kafka round trips (broker)", .timeLimit(.minutes(3)))
struct KafkaRoundTripTests {
    @Test func createdTopicIsInMetadata() async throws {
        let admin = try TestBroker.admin()
        let topic = TestBroker.uniqueName("create")
        try await admin.createTopic(topic, partitions: 3)
        let listed = try await admin.listTopics().first { $0.name == topic }
        #expect(listed == KafkaTopicMetadata(name: topic, partitionCount: 3))
        // Creating it again is not an error.
        try await admin.createTopic(topic, partitions: 3)
    }

    @Test func tenThousandMessagesComeBackOnceEachWithTheirKeys() async throws {
        let count = 10_000
        let keyCount = 97
        let topic = TestBroker.uniqueName("roundtrip")
        try await TestBroker.admin().createTopic(topic, partitions: 3)

        let producer = try TestBroker.producer()
        let group = DeliveryGroup()
        for index in 0..<count {
            let key = "key-\(index % keyCount)"
            try producer.send(topic: topic, key: key, value: Array("message \(index) for \(key)".utf8), group: group)
        }
        try await group.wait(timeout: .seconds(60))
        #expect(group.acknowledgedCount == count)
        #expect(group.failedCount == 0)
        try await producer.close()
        let counters = producer.counters
        #expect(counters.sent == count && counters.delivered == count && counters.failed == 0)
        #expect(counters.bytesDelivered == counters.bytesSent)

        let consumer = try TestBroker.consumer(group: TestBroker.uniqueName("roundtrip-group"), topic: topic,
                                               maxBatchSize: 2000)
        var seen = [Bool](repeating: false, count: count)
        var partitionOfKey: [String: Int32] = [:]
        var problems: [String] = []
        try await consumer.consume(count: count, timeout: .seconds(60), commit: true) { message in
            let payload = message.payload.text
            let key = message.key?.text ?? "<none>"
            let words = payload.split(separator: " ")
            guard words.count == 4, let index = Int(words[1]), (0..<count).contains(index) else {
                problems.append("unreadable payload \(payload)")
                return
            }
            if seen[index] { problems.append("message \(index) received twice") }
            seen[index] = true
            if key != "key-\(index % keyCount)" || words[3] != Substring(key) {
                problems.append("message \(index) has key \(key)")
            }
            if let partition = partitionOfKey.updateValue(message.partition, forKey: key), partition != message.partition {
                problems.append("key \(key) on partitions \(partition) and \(message.partition)")
            }
        }
        #expect(try await consumer.countArrivals(during: .seconds(1)) == 0)
        try await consumer.close()
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        #expect(seen.allSatisfy { $0 })
        // Every record of every partition came, over many polls: no jump was taken as the log's
        // (one the broker filled late is fetched again, and is no loss).
        #expect(consumer.passedOver.gaps == 0 && consumer.passedOver.records == 0)
        #expect(Set(partitionOfKey.values).count == 3, "97 keys should spread over all 3 partitions")
    }

    @Test func afterACommitANewMemberSeesOnlyNewMessages() async throws {
        let topic = TestBroker.uniqueName("commit")
        let groupID = TestBroker.uniqueName("commit-group")
        try await TestBroker.admin().createTopic(topic, partitions: 2)
        let producer = try TestBroker.producer()
        try await send(producer, topic: topic, count: 100, prefix: "old")

        let first = try TestBroker.consumer(group: groupID, topic: topic)
        try await first.consume(count: 100, timeout: .seconds(60), commit: true) { _ in }
        try await first.close()

        try await send(producer, topic: topic, count: 10, prefix: "new")
        try await producer.close()
        let second = try TestBroker.consumer(group: groupID, topic: topic)
        var payloads: [String] = []
        try await second.consume(count: 10, timeout: .seconds(60), commit: true) { payloads.append($0.payload.text) }
        #expect(try await second.countArrivals(during: .seconds(1)) == 0)
        try await second.close()
        #expect(payloads.sorted() == (0..<10).map { "new-\($0)" }.sorted())
    }

    @Test func withoutACommitANewMemberGetsTheMessagesAgain() async throws {
        let topic = TestBroker.uniqueName("redeliver")
        let groupID = TestBroker.uniqueName("redeliver-group")
        try await TestBroker.admin().createTopic(topic, partitions: 2)
        let producer = try TestBroker.producer()
        try await send(producer, topic: topic, count: 50, prefix: "m")
        try await producer.close()

        let first = try TestBroker.consumer(group: groupID, topic: topic)
        var firstPayloads: [String] = []
        try await first.consume(count: 50, timeout: .seconds(60), commit: false) { firstPayloads.append($0.payload.text) }
        try await first.close()

        let second = try TestBroker.consumer(group: groupID, topic: topic)
        var secondPayloads: [String] = []
        try await second.consume(count: 50, timeout: .seconds(60), commit: false) {
            secondPayloads.append($0.payload.text)
        }
        try await second.close()
        #expect(firstPayloads.sorted() == (0..<50).map { "m-\($0)" }.sorted())
        #expect(secondPayloads.sorted() == firstPayloads.sorted())
    }

    private func send(_ producer: KafkaProducer, topic: String, count: Int, prefix: String) async throws {
        let group = DeliveryGroup()
        for index in 0..<count {
            try producer.send(topic: topic, key: "k\(index)", value: Array("\(prefix)-\(index)".utf8), group: group)
        }
        try await group.wait(timeout: .seconds(30))
    }
}

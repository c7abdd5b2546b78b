import Testing
import TestSupport

import Kafka

/// A batch polled before a rebalance cannot be committed for partitions the rebalance took away.
@Suite("Kafka rebalance (broker)", .timeLimit(.minutes(3)))
struct KafkaRebalanceTests {
    @Test func committingABatchFromRevokedPartitionsFailsWithATypedError() async throws {
        let topic = TestBroker.uniqueName("rebalance")
        let groupID = TestBroker.uniqueName("rebalance-group")
        try await TestBroker.admin().createTopic(topic, partitions: 2)
        let producer = try TestBroker.producer()
        let delivered = DeliveryGroup()
        for index in 0..<40 {
            try producer.send(topic: topic, key: "key-\(index)", value: Array("m-\(index)".utf8), group: delivered)
        }
        try await delivered.wait(timeout: .seconds(30))
        try await producer.close()

        let first = try TestBroker.consumer(group: groupID, topic: topic)
        var stale: KafkaMessageBatch?
        let deadline = ContinuousClock.now + .seconds(60)
        while stale == nil, ContinuousClock.now < deadline {
            let batch = try await first.poll(timeout: .milliseconds(250))
            if !batch.isEmpty { stale = batch }
        }
        let batch = try #require(stale, "the first member received nothing")
        #expect(first.assignedPartitions.count == 2)

        // A second member joins: the group takes the partitions back and shares them out again.
        let second = try TestBroker.consumer(group: groupID, topic: topic)
        while ContinuousClock.now < deadline,
              second.assignedPartitions.isEmpty || first.assignedPartitions.count != 1 {
            async let polledByFirst = first.poll(timeout: .milliseconds(200))
            async let polledBySecond = second.poll(timeout: .milliseconds(200))
            _ = try await (polledByFirst, polledBySecond)
        }
        #expect(second.assignedPartitions.count == 1)
        #expect(first.assignedPartitions.count == 1)

        let error = await #expect(throws: KafkaError.self) { try await first.commit(batch) }
        #expect(error?.code == .partitionsRevoked)
        #expect(error?.message.contains("delivered again") == true, "\(String(describing: error))")
        try await first.close()
        try await second.close()
    }
}

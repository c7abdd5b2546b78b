import Foundation
import Testing
import TestSupport

import Kafka

/// What lets a pipeline stage loop without waiting on the broker: a waiting poll woken from
/// another thread, and commits that do not wait for the broker's answer yet still count.
@Suite("Kafka wake-up and commits without waiting (broker)", .timeLimit(.minutes(3)))
struct KafkaWakeAndCommitTests {
    @Test func wakeUpEndsAPollLongBeforeItsTimeout() async throws {
        let topic = TestBroker.uniqueName("wake")
        try await TestBroker.admin().createTopic(topic, partitions: 1)
        let consumer = try TestBroker.consumer(group: TestBroker.uniqueName("wake-group"), topic: topic)
        // Join first, so that no rebalance ends the poll below.
        let joinDeadline = ContinuousClock.now + .seconds(60)
        while consumer.assignedPartitions.isEmpty, ContinuousClock.now < joinDeadline {
            _ = try await consumer.poll(timeout: .milliseconds(100))
        }
        #expect(!consumer.assignedPartitions.isEmpty)
        // Nothing is ever sent: only a wake-up can end this poll before ten minutes.
        let poll = Task { try await consumer.poll(timeout: .seconds(600)).count }
        try await Task.sleep(for: .milliseconds(300))
        consumer.wakeUp()
        let outcome = try await firstOf(poll, orAfter: .seconds(60))
        #expect(outcome == 0, "the woken poll should come back empty (nil = still waiting after 60 s)")
        try await consumer.close()
    }

    @Test func aWakeUpBeforeThePollIsNotLost() async throws {
        let topic = TestBroker.uniqueName("wake-early")
        try await TestBroker.admin().createTopic(topic, partitions: 1)
        let consumer = try TestBroker.consumer(group: TestBroker.uniqueName("wake-early-group"), topic: topic)
        consumer.wakeUp()
        let poll = Task { try await consumer.poll(timeout: .seconds(600)).count }
        #expect(try await firstOf(poll, orAfter: .seconds(60)) == 0)
        try await consumer.close()
    }

    @Test func aCommitThatDidNotWaitIsInPlaceOnceTheConsumerHasClosed() async throws {
        let topic = TestBroker.uniqueName("commit-nowait")
        let groupID = TestBroker.uniqueName("commit-nowait-group")
        try await TestBroker.admin().createTopic(topic, partitions: 2)
        let producer = try TestBroker.producer()
        try await sendTexts(producer, topic: topic, (0..<40).map { "old-\($0)" })

        let first = try TestBroker.consumer(group: groupID, topic: topic)
        var seen = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while seen < 40, ContinuousClock.now < deadline {
            let batch = try await first.poll(timeout: .milliseconds(250))
            seen += batch.count
            try first.commitWithoutWaiting(batch)
        }
        #expect(seen == 40)
        try await first.close()

        try await sendTexts(producer, topic: topic, (0..<5).map { "new-\($0)" })
        try await producer.close()
        let second = try TestBroker.consumer(group: groupID, topic: topic)
        var payloads: [String] = []
        try await second.consume(count: 5, timeout: .seconds(60), commit: false) { payloads.append($0.payload.text) }
        #expect(try await second.countArrivals(during: .seconds(1)) == 0)
        try await second.close()
        #expect(payloads.sorted() == (0..<5).map { "new-\($0)" }.sorted())
    }

    private func sendTexts(_ producer: KafkaProducer, topic: String, _ texts: [String]) async throws {
        let group = DeliveryGroup()
        for (index, text) in texts.enumerated() {
            try producer.send(topic: topic, key: "k\(index)", value: Array(text.utf8), group: group)
        }
        try await group.wait(timeout: .seconds(60))
    }

    /// The task's value, or nil if it has not finished after `limit` (the task is cancelled).
    private func firstOf(_ task: Task<Int, any Error>, orAfter limit: Duration) async throws -> Int? {
        try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask { try await task.value }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }
}

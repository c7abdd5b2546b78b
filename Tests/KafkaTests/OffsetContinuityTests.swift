import Testing

@testable import Kafka

/// The consumer's watch on the offsets it is handed: a forward jump within one assignment of a
/// partition is records the fetch passed over.
@Suite struct OffsetContinuityTests {
    static let a = KafkaTopicPartition(topic: "validated_responses", partition: 0)
    static let b = KafkaTopicPartition(topic: "validated_responses", partition: 1)

    @Test func consecutiveOffsetsAreNoGapAndAJumpIsOne() {
        var continuity = OffsetContinuity()
        for offset in Int64(100)..<Int64(120) { #expect(continuity.observe(Self.a, offset: offset, epoch: 1) == nil) }
        // 120 to 155 were never handed out: 36 records, as the batch a broker answered late.
        let gap = continuity.observe(Self.a, offset: 156, epoch: 1)
        #expect(gap == OffsetContinuity.Gap(partition: Self.a, from: 120, to: 156))
        #expect(gap?.records == 36)
        #expect(continuity.observe(Self.a, offset: 157, epoch: 1) == nil)
    }

    @Test func theFirstRecordOfAPartitionIsNoGapAndPartitionsAreApart() {
        var continuity = OffsetContinuity()
        #expect(continuity.observe(Self.a, offset: 5_000, epoch: 1) == nil)
        #expect(continuity.observe(Self.b, offset: 9, epoch: 1) == nil)
        #expect(continuity.observe(Self.a, offset: 5_001, epoch: 1) == nil)
        #expect(continuity.observe(Self.b, offset: 11, epoch: 1) == OffsetContinuity.Gap(partition: Self.b, from: 10, to: 11))
    }

    @Test func recordsReadAgainAreNoGapAndTheWatchGoesOnFromThem() {
        var continuity = OffsetContinuity()
        #expect(continuity.observe(Self.a, offset: 50, epoch: 1) == nil)
        // A seek back (or redelivery) hands out 40 again: no gap, and 41 follows it.
        #expect(continuity.observe(Self.a, offset: 40, epoch: 1) == nil)
        #expect(continuity.observe(Self.a, offset: 41, epoch: 1) == nil)
        #expect(continuity.observe(Self.a, offset: 43, epoch: 1)?.from == 42)
    }

    @Test func anotherAssignmentOrAMoveOfTheConsumersOwnStartsAfresh() {
        var continuity = OffsetContinuity()
        #expect(continuity.observe(Self.a, offset: 10, epoch: 1) == nil)
        // Revoked and given back: the new assignment starts from the committed offset.
        #expect(continuity.observe(Self.a, offset: 90, epoch: 2) == nil)
        #expect(continuity.observe(Self.a, offset: 95, epoch: 2) != nil)
        // Stepping over an unreadable batch moves the partition on purpose.
        continuity.forget(Self.a)
        #expect(continuity.observe(Self.a, offset: 200, epoch: 2) == nil)
    }
}

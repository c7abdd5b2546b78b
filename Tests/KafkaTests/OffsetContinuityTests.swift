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

    /// How long a gap is fetched again is a time, not a number of fetches: a broker that answers
    /// the later batch again at once, for many fetches, before the earlier one is readable loses
    /// nothing.
    @Test func aGapIsFetchedAgainForThePatienceHoweverManyFetchesThatTakes() throws {
        var watch = KafkaConsumer.Continuity()
        let start = ContinuousClock.now
        let gap = OffsetContinuity.Gap(partition: Self.a, from: 120, to: 156)
        for step in 0..<200 {
            let next = watch.fetchAgain(gap, epoch: 1, now: start + .milliseconds(step * 100), patience: .seconds(30))
            let refetch = try #require(next)
            #expect(refetch.fetches == step + 1 && refetch.since == start && refetch.from == 120)
            watch.refetching[Self.a] = refetch
        }
        #expect(watch.holey.isEmpty && watch.refetches == 200)
        // Thirty seconds after it was first met, the same gap is the log's, and so is the
        // partition: its later gaps are counted, not fetched again.
        let expired = watch.fetchAgain(gap, epoch: 1, now: start + .seconds(30), patience: .seconds(30))
        #expect(expired == nil)
        #expect(watch.holey == [Self.a: 1] && watch.refetching.isEmpty)
    }

    @Test func aGapFurtherOnStartsItsOwnPatienceAndADeliveryWithoutItEndsTheRefetch() throws {
        var watch = KafkaConsumer.Continuity()
        let start = ContinuousClock.now
        let first = OffsetContinuity.Gap(partition: Self.a, from: 120, to: 156)
        let started = watch.fetchAgain(first, epoch: 1, now: start, patience: .seconds(30))
        let refetch: KafkaConsumer.Continuity.Refetch = try #require(started)
        watch.refetching[Self.a] = refetch
        // The same partition met again with its gap: still being fetched.
        #expect(watch.filled(delivered: [Self.a], firstGaps: [Self.a: first]).isEmpty)
        // Delivered without that gap: the records came.
        let filled = watch.filled(delivered: [Self.a, Self.b], firstGaps: [:])
        #expect(filled.map(\.0) == [Self.a] && filled.first?.1.from == 120)
        #expect(watch.refetched == 1 && watch.refetching.isEmpty)
        // A later gap of the same partition, met 29 s on, has 30 s of its own.
        let later = OffsetContinuity.Gap(partition: Self.a, from: 400, to: 410)
        let again = watch.fetchAgain(later, epoch: 1, now: start + .seconds(29), patience: .seconds(30))
        let laterRefetch: KafkaConsumer.Continuity.Refetch = try #require(again)
        watch.refetching[Self.a] = laterRefetch
        let stillAgain = watch.fetchAgain(later, epoch: 1, now: start + .seconds(58), patience: .seconds(30))
        #expect(stillAgain?.fetches == 2)
        #expect(watch.holey.isEmpty)
    }

    @Test func noPatienceTakesAGapAsTheLogsAtOnce() {
        var watch = KafkaConsumer.Continuity()
        let gap = OffsetContinuity.Gap(partition: Self.b, from: 5, to: 6)
        let refetch = watch.fetchAgain(gap, epoch: 1, now: .now, patience: .zero)
        #expect(refetch == nil)
        #expect(watch.holey == [Self.b: 1] && watch.refetches == 0)
    }

    /// A partition is holey for the assignment that found it; given back after a rebalance, its
    /// gaps are fetched again, and one no longer held is forgotten.
    @Test func aPartitionIsHoleyForTheAssignmentThatFoundItOnly() {
        var watch = KafkaConsumer.Continuity()
        let now = ContinuousClock.now
        _ = watch.fetchAgain(OffsetContinuity.Gap(partition: Self.a, from: 5, to: 6), epoch: 3, now: now, patience: .zero)
        _ = watch.fetchAgain(OffsetContinuity.Gap(partition: Self.b, from: 9, to: 10), epoch: 3, now: now, patience: .zero)
        #expect(watch.holeyPartitions(in: [Self.a: 3, Self.b: 3]) == [Self.a, Self.b])
        // a reassigned (epoch 4), b revoked: neither is holey any longer.
        #expect(watch.holeyPartitions(in: [Self.a: 4]).isEmpty)
        #expect(watch.holey.isEmpty)
        let refetch = watch.fetchAgain(OffsetContinuity.Gap(partition: Self.a, from: 20, to: 21), epoch: 4, now: now,
                                       patience: .seconds(30))
        #expect(refetch?.fetches == 1)
    }
}

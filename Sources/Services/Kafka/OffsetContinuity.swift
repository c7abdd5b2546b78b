/// Watches the offsets a consumer is handed, partition by partition. Within one assignment of a
/// partition, and between two seeks of the consumer's own, each record should carry the offset
/// after the previous one: the topics of the pipeline are neither compacted nor written in
/// transactions. A forward jump means the fetch passed over records the log holds: a broker
/// that answered a later batch before an earlier one was readable, for instance. Those records
/// are never delivered to this member, and its commit passes over them.
///
/// A transactional producer's commit marker takes an offset of its own, and a compacted topic
/// leaves holes: read from such topics, each shows as a gap. The consumer fetches a gap again
/// for `KafkaConsumerConfiguration.gapPatience` before it takes it as the log's.
struct OffsetContinuity {
    /// Records passed over: offsets `from` up to `to`, excluded.
    struct Gap: Equatable, Sendable {
        let partition: KafkaTopicPartition
        let from: Int64
        let to: Int64

        var records: Int64 { to - from }
    }

    private var next: [KafkaTopicPartition: (epoch: UInt64, offset: Int64)] = [:]

    /// Takes the offset of a record of `partition`, delivered in its assignment `epoch`; returns
    /// the gap before it, if the last record of the same assignment was further back. A record
    /// at or below the expected offset (read again after a rebalance or a seek) is no gap.
    mutating func observe(_ partition: KafkaTopicPartition, offset: Int64, epoch: UInt64) -> Gap? {
        defer { next[partition] = (epoch, offset &+ 1) }
        guard let expected = next[partition], expected.epoch == epoch, offset > expected.offset else { return nil }
        return Gap(partition: partition, from: expected.offset, to: offset)
    }

    /// The offset the next record of `partition` is expected at, in its assignment `epoch`.
    func expected(_ partition: KafkaTopicPartition, epoch: UInt64) -> Int64? {
        guard let next = next[partition], next.epoch == epoch else { return nil }
        return next.offset
    }

    /// Sets where `partition` stands after a run of records checked by the caller: the next
    /// record of the same assignment is expected at `next`.
    mutating func record(_ partition: KafkaTopicPartition, next offset: Int64, epoch: UInt64) {
        next[partition] = (epoch, offset)
    }

    /// Forgets where `partition` stood: the consumer moved it itself (stepping over an unreadable
    /// batch), so the next record may be anywhere further on.
    mutating func forget(_ partition: KafkaTopicPartition) {
        next[partition] = nil
    }
}

extension KafkaConsumer {
    /// What a consumer knows of the gaps it met: where each partition's next record is
    /// expected, the gaps being fetched again, and those taken as the log's.
    struct Continuity: Sendable {
        var offsets = OffsetContinuity()
        /// Gaps taken as the log's after fetching them again, and their records.
        var gaps = 0
        var records: Int64 = 0
        /// Gaps that a fetch from their first offset delivered.
        var refetched = 0
        /// Fetches again decided (`fetchAgain`), each a seek back to the first offset of a gap.
        var refetches = 0
        /// Per partition, the gap being fetched again.
        var refetching: [KafkaTopicPartition: Refetch] = [:]
        /// Partitions whose log has holes of its own (a gap that fetching again for the whole
        /// patience did not fill), with the assignment epoch that found it: in that assignment
        /// their gaps are counted, not fetched again nor logged one by one. A new assignment
        /// starts afresh, so one long stall of a broker does not pass over a partition's late
        /// batches for the rest of the consumer's life.
        var holey: [KafkaTopicPartition: UInt64] = [:]

        /// A gap being fetched again: where it starts, how many times it was sought back to,
        /// and when it was first met.
        struct Refetch: Sendable, Equatable {
            let from: Int64
            var fetches: Int
            let since: ContinuousClock.Instant
        }

        /// Ends the refetches of the partitions a poll delivered records of (`delivered`)
        /// without meeting the same gap again (`firstGaps`: the first gap of each partition in
        /// that poll): their records came. Returns them.
        mutating func filled(delivered: Set<KafkaTopicPartition>,
                             firstGaps: [KafkaTopicPartition: OffsetContinuity.Gap]) -> [(KafkaTopicPartition, Refetch)] {
            var filled: [(KafkaTopicPartition, Refetch)] = []
            for (partition, refetch) in refetching where delivered.contains(partition) {
                if let gap = firstGaps[partition], gap.from == refetch.from { continue }
                refetching[partition] = nil
                refetched += 1
                filled.append((partition, refetch))
            }
            return filled
        }

        /// The partitions holey in their current assignment (`epochs`: the assignment epoch of
        /// each partition held); forgets the others.
        mutating func holeyPartitions(in epochs: [KafkaTopicPartition: UInt64]) -> Set<KafkaTopicPartition> {
            guard !holey.isEmpty else { return [] }
            holey = holey.filter { epochs[$0.key] == $0.value }
            return Set(holey.keys)
        }

        /// Whether `gap`, met `now` in assignment `epoch`, is fetched again: the refetch to
        /// record once the consumer has sought back to its first offset, or nil when the same
        /// gap has been met for `patience` already. Then the gap is the log's, and so are the
        /// partition's later ones in that assignment.
        mutating func fetchAgain(_ gap: OffsetContinuity.Gap, epoch: UInt64, now: ContinuousClock.Instant,
                                 patience: Duration) -> Refetch? {
            var refetch = refetching[gap.partition].flatMap { $0.from == gap.from ? $0 : nil }
                ?? Refetch(from: gap.from, fetches: 0, since: now)
            guard now - refetch.since < patience else {
                refetching[gap.partition] = nil
                holey[gap.partition] = epoch
                return nil
            }
            refetch.fetches += 1
            refetches += 1
            return refetch
        }
    }
}

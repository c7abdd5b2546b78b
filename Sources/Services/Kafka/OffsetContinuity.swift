/// Watches the offsets a consumer is handed, partition by partition. Within one assignment of a
/// partition, and between two seeks of the consumer's own, each record should carry the offset
/// after the previous one: the topics of the pipeline are neither compacted nor written in
/// transactions. A forward jump means the fetch passed over records the log holds: a broker
/// that answered a later batch before an earlier one was readable, for instance. Those records
/// are never delivered to this member, and its commit passes over them.
///
/// A transactional producer's commit marker takes an offset of its own, and a compacted topic
/// leaves holes: read from such topics, each shows as a gap. The consumer fetches a gap again
/// (`KafkaConsumer.maxRefetches` times) before it takes it as the log's.
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

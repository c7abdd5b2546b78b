
/// The messages one `KafkaConsumer.poll` returned. The batch owns librdkafka's messages and
/// destroys them when it is released; its `KafkaMessage`s are views into them.
///
/// `@unchecked Sendable`: the messages are never changed after the poll, librdkafka lets any
/// thread read and destroy them, and the batch keeps the client handle alive until they are
/// destroyed. Commit it with `KafkaConsumer.commit` once its work is done.
public final class KafkaMessageBatch: RandomAccessCollection, @unchecked Sendable {
    /// Where committing the batch moves one partition, and the assignment epoch it was read in.
    struct PartitionPosition {
        let partition: KafkaTopicPartition
        let nextOffset: Int64
        let epoch: UInt64?
    }

    /// A place where the consumer skipped a record batch it could not read: the batch's base
    /// offset, and why. Committing the batch moves the partition to `offset + 1` (still inside
    /// the unreadable batch, so no valid record is passed over).
    public struct CorruptPlace: Sendable, Equatable {
        public let partition: KafkaTopicPartition
        public let offset: Int64
        public let detail: String
    }

    private let client: RDKafkaClient
    private let messages: [RDKafkaMessagePointer]
    /// The unreadable batches skipped during the poll, in the order they were met.
    public let corruptPlaces: [CorruptPlace]
    let positions: [PartitionPosition]

    /// `epochsBeforePoll` is the assignment when the poll began: a partition revoked during the
    /// poll keeps its old epoch here, so its commit is refused.
    init(client: RDKafkaClient, messages: [RDKafkaMessagePointer], corruptPlaces: [CorruptPlace] = [],
         epochsBeforePoll: [KafkaTopicPartition: UInt64], assignment: ConsumerAssignment) {
        self.client = client
        self.messages = messages
        self.corruptPlaces = corruptPlaces
        self.positions = Self.positions(of: messages, corruptPlaces: corruptPlaces,
                                        epochsBeforePoll: epochsBeforePoll, assignment: assignment)
    }

    deinit {
        messages.forEach(RDKafkaMessage.destroy)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { messages.count }

    public subscript(position: Int) -> KafkaMessage {
        KafkaMessage(pointer: UnsafePointer(messages[position]))
    }

    /// For each partition in the batch, the offset a commit stores: its highest offset + 1.
    public var nextOffsets: [KafkaTopicPartition: Int64] {
        Dictionary(uniqueKeysWithValues: positions.map { ($0.partition, $0.nextOffset) })
    }

    /// Sum of the payload sizes.
    public var payloadBytes: Int {
        messages.reduce(0) { $0 + $1.pointee.len }
    }

    private struct PartitionKey: Hashable {
        let topic: OpaquePointer
        let partition: Int32
    }

    private static func positions(
        of messages: [RDKafkaMessagePointer], corruptPlaces: [CorruptPlace],
        epochsBeforePoll: [KafkaTopicPartition: UInt64], assignment: ConsumerAssignment
    ) -> [PartitionPosition] {
        var highest: [PartitionKey: Int64] = [:]
        for message in messages {
            let key = PartitionKey(topic: message.pointee.rkt, partition: message.pointee.partition)
            highest[key] = Swift.max(highest[key] ?? -1, message.pointee.offset)
        }
        var byName: [KafkaTopicPartition: Int64] = [:]
        for (key, offset) in highest {
            let partition = KafkaTopicPartition(topic: RDKafkaMessage.topicName(handle: key.topic), partition: key.partition)
            byName[partition] = Swift.max(byName[partition] ?? -1, offset)
        }
        for place in corruptPlaces {
            byName[place.partition] = Swift.max(byName[place.partition] ?? -1, place.offset)
        }
        let offsets = byName.map { partition, offset in (partition, offset + 1) }
        // Partitions first assigned during the poll take their current epoch.
        let epochsNow = assignment.epochs(of: offsets.map(\.0))
        return zip(offsets, epochsNow).map { offset, epochNow in
            PartitionPosition(partition: offset.0, nextOffset: offset.1, epoch: epochsBeforePoll[offset.0] ?? epochNow)
        }
    }
}

import CRdKafka

/// Owns a librdkafka `rd_kafka_topic_partition_list_t`, as subscribing and committing take.
final class RDKafkaTopicPartitionList {
    private let list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int) {
        list = rd_kafka_topic_partition_list_new(Int32(clamping: max(1, capacity)))
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(list)
    }

    /// Adds a topic (any partition, for subscribing) or a partition with the offset to commit.
    /// Pauses (or resumes) fetching `partitions`; messages already fetched for them are purged,
    /// and fetching resumes from the position consumed.
    @discardableResult
    static func pause(_ partitions: [KafkaTopicPartition], resume: Bool, rk: OpaquePointer) -> rd_kafka_resp_err_t {
        let list = RDKafkaTopicPartitionList(capacity: partitions.count)
        for partition in partitions { list.add(topic: partition.topic, partition: partition.partition) }
        return list.withList { resume ? rd_kafka_resume_partitions(rk, $0) : rd_kafka_pause_partitions(rk, $0) }
    }

    func add(topic: String, partition: Int32 = RD_KAFKA_PARTITION_UA, offset: Int64? = nil) {
        let element = rd_kafka_topic_partition_list_add(list, topic, partition)!
        if let offset {
            element.pointee.offset = offset
        }
    }

    /// Lends the list to `body`; it must not keep the pointer.
    func withList<Result>(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> Result) rethrows
        -> Result
    {
        try body(list)
    }

    /// Each element's partition and its error, if librdkafka set one (after a commit).
    var elementErrors: [(KafkaTopicPartition, rd_kafka_resp_err_t)] {
        Self.elementErrors(in: list)
    }

    /// Each element's partition and error, for a list librdkafka owns (a commit callback's).
    static func elementErrors(in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>)
        -> [(KafkaTopicPartition, rd_kafka_resp_err_t)] {
        (0..<Int(list.pointee.cnt)).compactMap { index in
            let element = list.pointee.elems[index]
            guard element.err != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
            return (KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition), element.err)
        }
    }

    /// The partitions of a list that librdkafka owns (e.g. the one a rebalance callback gets).
    static func partitions(in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [KafkaTopicPartition] {
        (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            return KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition)
        }
    }
}

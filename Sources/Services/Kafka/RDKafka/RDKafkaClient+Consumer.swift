import CRdKafka

/// What one `rd_kafka_consumer_poll` gave.
enum RDKafkaPolled {
    /// A message; the caller owns it until `RDKafkaMessage.destroy`.
    case message(UnsafeMutablePointer<rd_kafka_message_t>)
    /// Nothing within the wait.
    case nothing
    /// The end of a partition was reached (not an error).
    case partitionEnd
    /// An error event: librdkafka retries it by itself unless the client failed fatally.
    case error(KafkaError, fatal: Bool)
    /// A record batch that cannot be read (it does not decompress, or is malformed) at
    /// `offset`, the batch's base offset. librdkafka reports it again and again until the
    /// partition is sought past the batch.
    case corruptBatch(topic: String, partition: Int32, offset: Int64, detail: String)
}

/// The consumer's librdkafka calls.
extension RDKafkaClient {
    /// Routes the main queue (errors, statistics, rebalances) into the one consumer_poll serves.
    func redirectMainQueueToConsumer(context: @autoclosure () -> String) throws {
        let error = withHandle { rd_kafka_poll_set_consumer($0) }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(rdKafkaError: error, context()) }
    }

    func subscribe(_ topics: RDKafkaTopicPartitionList, context: @autoclosure () -> String) throws {
        let error = withHandle { rk in topics.withList { rd_kafka_subscribe(rk, $0) } }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(rdKafkaError: error, context()) }
    }

    /// One `rd_kafka_consumer_poll`, waiting up to `milliseconds` (0: only what is fetched).
    func consumerPoll(milliseconds: Int32) -> RDKafkaPolled {
        withHandle { rk in
            guard let message = rd_kafka_consumer_poll(rk, milliseconds) else { return .nothing }
            let error = message.pointee.err
            if error == RD_KAFKA_RESP_ERR_NO_ERROR { return .message(message) }
            let detail = String(cString: rd_kafka_message_errstr(message))
            if error == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                rd_kafka_message_destroy(message)
                return .partitionEnd
            }
            if error == RD_KAFKA_RESP_ERR__BAD_COMPRESSION || error == RD_KAFKA_RESP_ERR__BAD_MSG,
               let topic = message.pointee.rkt, message.pointee.partition >= 0, message.pointee.offset >= 0 {
                let polled = RDKafkaPolled.corruptBatch(
                    topic: RDKafkaMessage.topicName(handle: topic), partition: message.pointee.partition,
                    offset: message.pointee.offset, detail: detail)
                rd_kafka_message_destroy(message)
                return polled
            }
            rd_kafka_message_destroy(message)
            let fatal = rd_kafka_fatal_error(rk, nil, 0) != RD_KAFKA_RESP_ERR_NO_ERROR
            return .error(fatal ? KafkaError(.fatal, "consumer failed fatally: \(detail)")
                                : KafkaError(rdKafkaError: error, detail), fatal: fatal)
        }
    }

    /// Moves the consumer's fetch position of one partition to `offset`; waits up to
    /// `timeoutMilliseconds` for librdkafka to apply it.
    func seek(topic: String, partition: Int32, offset: Int64, timeoutMilliseconds: Int32) throws {
        let list = RDKafkaTopicPartitionList(capacity: 1)
        list.add(topic: topic, partition: partition, offset: offset)
        let error = withHandle { rk -> rd_kafka_resp_err_t in
            list.withList { pointer in
                if let failure = rd_kafka_seek_partitions(rk, pointer, timeoutMilliseconds) {
                    let code = rd_kafka_error_code(failure)
                    rd_kafka_error_destroy(failure)
                    return code
                }
                return pointer.pointee.cnt > 0 ? pointer.pointee.elems[0].err : RD_KAFKA_RESP_ERR_NO_ERROR
            }
        }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(rdKafkaError: error, "cannot seek \(topic)[\(partition)] to offset \(offset)")
        }
    }

    /// Makes a `rd_kafka_consumer_poll` waiting now return at once.
    func yieldConsumerPoll() {
        withHandle { rk in
            guard let queue = rd_kafka_queue_get_consumer(rk) else { return }
            rd_kafka_queue_yield(queue)
            rd_kafka_queue_destroy(queue)
        }
    }

    /// Commits `offsets`; with `wait`, returns once the broker answered and throws the first
    /// partition it refused.
    func commit(_ offsets: RDKafkaTopicPartitionList, wait: Bool, names: @autoclosure () -> String) throws {
        let error = withHandle { rk in offsets.withList { rd_kafka_commit(rk, $0, wait ? 0 : 1) } }
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(rdKafkaError: error, "commit of \(names()) refused (their messages will be read again)")
        }
        if wait, let (partition, error) = offsets.elementErrors.first {
            throw KafkaError(rdKafkaError: error, "commit of \(partition) refused (its messages will be read again)")
        }
    }

    /// The summed lag (high watermark minus position) and summed position of the partitions in
    /// `list`, from librdkafka's own state (no round trip); zero for partitions not yet read.
    func lagAndPosition(of list: RDKafkaTopicPartitionList) -> (lag: Int64, position: Int64) {
        var lag: Int64 = 0
        var position: Int64 = 0
        withHandle { rk in
            list.withList { pointer in
                guard rd_kafka_position(rk, pointer) == RD_KAFKA_RESP_ERR_NO_ERROR else { return }
                for index in 0..<Int(pointer.pointee.cnt) {
                    let element = pointer.pointee.elems[index]
                    guard element.offset >= 0 else { continue }
                    position &+= element.offset
                    var low: Int64 = -1
                    var high: Int64 = -1
                    let known = rd_kafka_get_watermark_offsets(rk, element.topic, element.partition, &low, &high)
                    if known == RD_KAFKA_RESP_ERR_NO_ERROR, high > element.offset { lag &+= high - element.offset }
                }
            }
        }
        return (lag, position)
    }

    /// Asks a broker for metadata (no topics) and waits up to `timeoutMilliseconds`; throws
    /// when none answers. Blocks the calling thread.
    func probeBroker(timeoutMilliseconds: Int32, context: () -> String) throws {
        var metadata: UnsafePointer<rd_kafka_metadata_t>?
        let error = withHandle { rd_kafka_metadata($0, 0, nil, &metadata, timeoutMilliseconds) }
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(rdKafkaError: error, context()) }
    }

    /// Leaves the group: its partitions go to the other members at once.
    func closeConsumer() throws {
        let error = withHandle { rd_kafka_consumer_close($0) }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(rdKafkaError: error, "closing the consumer failed")
        }
    }
}

/// A consumed message's fields that need librdkafka's calls.
enum RDKafkaMessage {
    static func topicName(_ message: UnsafePointer<rd_kafka_message_t>) -> String {
        topicName(handle: message.pointee.rkt)
    }

    static func topicName(handle: OpaquePointer) -> String {
        String(cString: rd_kafka_topic_name(handle))
    }

    /// Milliseconds since 1970, negative when the broker gave none.
    static func timestamp(_ message: UnsafePointer<rd_kafka_message_t>) -> Int64 {
        rd_kafka_message_timestamp(message, nil)
    }

    /// The value of the last header named `name` (a view into the message), nil if none.
    static func header(_ message: UnsafePointer<rd_kafka_message_t>, name: String) -> UnsafeRawBufferPointer? {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers else { return nil }
        var value: UnsafeRawPointer?
        var size = 0
        guard rd_kafka_header_get_last(headers, name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return UnsafeRawBufferPointer(start: value, count: size)
    }

    static func destroy(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        rd_kafka_message_destroy(message)
    }
}

/// A message librdkafka handed over, owned until `RDKafkaMessage.destroy`.
typealias RDKafkaMessagePointer = UnsafeMutablePointer<rd_kafka_message_t>

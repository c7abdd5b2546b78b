import CRdKafka

/// The producer's librdkafka calls.
extension RDKafkaClient {
    /// Serves delivery reports and other events for up to `milliseconds`; returns how many.
    @discardableResult
    func poll(milliseconds: Int32) -> Int32 {
        withHandle { rd_kafka_poll($0, milliseconds) }
    }

    /// Drops every message not yet delivered (queued or in flight); their reports say `.purged`.
    func purgeAll() {
        withHandle { _ = rd_kafka_purge($0, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)) }
    }

    /// Waits up to `milliseconds` for every queued message to be delivered or failed.
    func flush(milliseconds: Int32, context: (Int32) -> String) throws {
        let error = withHandle { rd_kafka_flush($0, milliseconds) }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let left = withHandle { rd_kafka_outq_len($0) }
            throw KafkaError(rdKafkaError: error, context(left))
        }
    }
}

/// What one `rd_kafka_produce` did.
enum RDKafkaProduced {
    case queued
    /// The local queue is full: serve delivery reports and try again.
    case queueFull
    case failed(KafkaError)
}

extension RDKafkaTopic {
    /// Queues one message (the bytes are copied); the key chooses the partition. `opaque` comes
    /// back in the delivery report.
    func produce(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer, opaque: UnsafeMutableRawPointer?,
                 context: @autoclosure () -> String) -> RDKafkaProduced {
        let result = withHandle { rkt in
            rd_kafka_produce(
                rkt, RD_KAFKA_PARTITION_UA /* the partitioner picks by key */, RD_KAFKA_MSG_F_COPY,
                UnsafeMutableRawPointer(mutating: value.baseAddress), value.count,
                key?.baseAddress, key?.count ?? 0, opaque)
        }
        if result == 0 { return .queued }
        let error = rd_kafka_last_error()
        if error == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
        return .failed(KafkaError(rdKafkaError: error, context()))
    }

    /// Queues one message with one header (`rd_kafka_producev` through the C shim: Swift cannot
    /// call a variadic function), by this topic handle; the key chooses the partition.
    func produce(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer, header: (name: String, value: [UInt8]),
                 opaque: UnsafeMutableRawPointer?, context: @autoclosure () -> String) -> RDKafkaProduced {
        let error = client.withHandle { rk in
            withHandle { rkt in
                header.value.withUnsafeBytes { headerValue in
                    veredicto_produce_with_header(rk, rkt, value.baseAddress, value.count, key?.baseAddress,
                                                  key?.count ?? 0, header.name, headerValue.baseAddress,
                                                  headerValue.count, opaque)
                }
            }
        }
        if error == RD_KAFKA_RESP_ERR_NO_ERROR { return .queued }
        if error == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
        return .failed(KafkaError(rdKafkaError: error, context()))
    }
}

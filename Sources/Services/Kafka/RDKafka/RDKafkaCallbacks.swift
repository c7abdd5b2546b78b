import CRdKafka
import Logging
import Transport

extension RDKafkaConfig {
    /// Points the conf's opaque at `events` (unretained: the client keeps it alive) and installs
    /// the callbacks that `events` can serve.
    static func installCallbacks(on conf: OpaquePointer, reportingTo events: RDKafkaClientEvents) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(events).toOpaque())
        rd_kafka_conf_set_log_cb(conf, logCallback)
        rd_kafka_conf_set_error_cb(conf, errorCallback)
        if events.deliveries != nil {
            rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
        }
        if events.assignment != nil {
            rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
            rd_kafka_conf_set_offset_commit_cb(conf, offsetCommitCallback)
        }
        if events.statistics != nil {
            rd_kafka_conf_set_stats_cb(conf, statisticsCallback)
        }
    }
}

private func clientEvents(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaClientEvents? {
    opaque.map { Unmanaged<RDKafkaClientEvents>.fromOpaque($0).takeUnretainedValue() }
}

private func text(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}

/// librdkafka's internal log lines (syslog levels) into the client's logger.
private func logCallback(_ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?,
                         _ line: UnsafePointer<CChar>?) {
    guard let rk, let events = clientEvents(rd_kafka_opaque(rk)) else { return }
    let logLevel: Logger.Level = switch level {
    case ...2: .critical
    case 3: .error
    case 4: .warning
    case 5: .notice
    case 6: .info
    default: .debug
    }
    events.logger.log(level: logLevel, "\(text(line))",
                      metadata: ["librdkafka.facility": "\(text(facility))", "librdkafka.client": "\(text(rd_kafka_name(rk)))"])
}

/// Client-level errors: mostly transient (a broker connection lost), which librdkafka retries
/// by itself; a fatal error makes the client unusable, and the next call reports it.
private func errorCallback(_ rk: OpaquePointer?, _ code: Int32, _ reason: UnsafePointer<CChar>?,
                           _ opaque: UnsafeMutableRawPointer?) {
    guard let rk, let events = clientEvents(opaque) else { return }
    let error = rd_kafka_resp_err_t(rawValue: code)
    if error == RD_KAFKA_RESP_ERR__FATAL {
        let underlying = RDKafkaError.withErrorText { rd_kafka_fatal_error(rk, $0, $1) }
        events.logger.critical("librdkafka fatal error: \(RDKafkaError.name(of: underlying.result)): \(underlying.text)")
    } else {
        let level: Logger.Level = error == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ? .error : .warning
        events.logger.log(level: level, "librdkafka error \(String(cString: rd_kafka_err2name(error))): \(text(reason))",
                          metadata: ["librdkafka.client": "\(text(rd_kafka_name(rk)))"])
    }
}

/// One delivery report per produced message, served by whichever thread polls the producer.
/// The message's opaque, if any, is the `DeliveryGroup` retained by `KafkaProducer.send`.
private func deliveryReportCallback(_ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?,
                                    _ opaque: UnsafeMutableRawPointer?) {
    guard let message, let events = clientEvents(opaque) else { return }
    let report = message.pointee
    let delivered = report.err == RD_KAFKA_RESP_ERR_NO_ERROR
    events.deliveries?.recordReport(delivered: delivered, bytes: report.len + report.key_len)
    guard let groupPointer = report._private else { return }
    let group = Unmanaged<DeliveryGroup>.fromOpaque(groupPointer).takeRetainedValue()
    if delivered {
        group.acknowledge()
    } else {
        let topic = report.rkt.map { text(rd_kafka_topic_name($0)) } ?? "?"
        var error = KafkaError(rdKafkaError: report.err, "delivery to \(topic) partition \(report.partition) failed")
        if error.code == .broker {
            error = KafkaError(.deliveryFailed, error.message)
        }
        group.fail(error)
    }
}

/// Group rebalances: takes the new assignment (eager or cooperative protocol) and records it, so
/// that `KafkaConsumer.commit` can refuse offsets of partitions that were revoked meanwhile.
private func rebalanceCallback(_ rk: OpaquePointer?, _ reason: rd_kafka_resp_err_t,
                               _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
                               _ opaque: UnsafeMutableRawPointer?) {
    guard let rk, let events = clientEvents(opaque), let assignment = events.assignment else { return }
    let changed = partitions.map(RDKafkaTopicPartitionList.partitions(in:)) ?? []
    let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } == "COOPERATIVE"
    let described = changed.map(\.description).joined(separator: ", ")
    switch reason {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        assignment.assign(changed)
        events.logger.info("partitions assigned: \(described)", metadata: ["protocol": "\(cooperative ? "cooperative" : "eager")"])
        if cooperative {
            if let error = rd_kafka_incremental_assign(rk, partitions) {
                events.logger.error("\(KafkaError(consuming: error, "incremental assign failed"))")
            }
        } else {
            let error = rd_kafka_assign(rk, partitions)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                events.logger.error("\(KafkaError(rdKafkaError: error, "assign failed"))")
            }
        }
        // A partition of a paused topic starts paused (back-pressure outlives rebalances).
        let paused = assignment.pausedTopics
        let toPause = changed.filter { paused.contains($0.topic) }
        if !toPause.isEmpty { RDKafkaTopicPartitionList.pause(toPause, resume: false, rk: rk) }
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        let lost = rd_kafka_assignment_lost(rk) != 0
        assignment.revoke(changed)
        events.logger.info("partitions \(lost ? "lost" : "revoked"): \(described)")
        if cooperative {
            if let error = rd_kafka_incremental_unassign(rk, partitions) {
                events.logger.error("\(KafkaError(consuming: error, "incremental unassign failed"))")
            }
        } else {
            _ = rd_kafka_assign(rk, nil)
        }
    default:
        events.logger.error("\(KafkaError(rdKafkaError: reason, "rebalance failed"))")
        assignment.revokeAll()
        _ = rd_kafka_assign(rk, nil)
    }
}

/// The outcome of every offset commit, served by the consumer's poll. Only a refusal is worth a
/// line: waiting commits throw it as well, and a commit that did not wait is covered by the next.
private func offsetCommitCallback(_ rk: OpaquePointer?, _ error: rd_kafka_resp_err_t,
                                  _ offsets: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
                                  _ opaque: UnsafeMutableRawPointer?) {
    guard let events = clientEvents(opaque) else { return }
    let failures = offsets.map(RDKafkaTopicPartitionList.elementErrors(in:)) ?? []
    // _NO_OFFSET: nothing to commit, not a failure.
    guard error != RD_KAFKA_RESP_ERR_NO_ERROR && error != RD_KAFKA_RESP_ERR__NO_OFFSET || !failures.isEmpty else { return }
    let detail = failures.isEmpty ? "" : ": " + failures.map { "\($0.0) \(String(cString: rd_kafka_err2name($0.1)))" }
        .joined(separator: ", ")
    let name = String(cString: rd_kafka_err2name(error))
    events.logger.warning("offset commit refused (\(name))\(detail); the messages after the last accepted commit will be read again")
}

/// Statistics JSON (`statistics.interval.ms`); returning 0 lets librdkafka free the text.
private func statisticsCallback(_ rk: OpaquePointer?, _ json: UnsafeMutablePointer<CChar>?, _ length: Int,
                                _ opaque: UnsafeMutableRawPointer?) -> Int32 {
    guard let json, let events = clientEvents(opaque), let statistics = events.statistics else { return 0 }
    statistics(String(decoding: UnsafeRawBufferPointer(start: json, count: length), as: UTF8.self))
    return 0
}

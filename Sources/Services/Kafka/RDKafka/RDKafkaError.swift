import CRdKafka

/// Where librdkafka's errors become `KafkaError`s: its codes, its error objects and the text it
/// writes into a caller's `errstr` buffer.
enum RDKafkaError {
    /// The size of the `errstr` buffers handed to librdkafka.
    static let bufferSize = 512

    /// Calls `body` with an `errstr` buffer and its size, as librdkafka's calls that report
    /// failures in text take them; returns `body`'s result and the text librdkafka wrote
    /// (empty if none).
    static func withErrorText<Result>(
        _ body: (UnsafeMutablePointer<CChar>, Int) throws -> Result
    ) rethrows -> (result: Result, text: String) {
        var buffer = [CChar](repeating: 0, count: bufferSize)
        let result = try buffer.withUnsafeMutableBufferPointer { try body($0.baseAddress!, $0.count) }
        return (result, text(buffer))
    }

    /// The text in a C character buffer librdkafka filled (up to the first NUL).
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// librdkafka's symbolic name of an error code (`_TRANSPORT`, `MSG_SIZE_TOO_LARGE`).
    static func name(of error: rd_kafka_resp_err_t) -> String {
        String(cString: rd_kafka_err2name(error))
    }
}

extension KafkaError.Code {
    /// The one mapping from librdkafka's error codes to the layer's codes.
    init(rdKafkaError error: rd_kafka_resp_err_t) {
        switch error {
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
            self = .queueFull
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE,
             RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
            self = .messageTooLarge
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
             RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
            self = .timedOut
        case RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
            self = .purged
        case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION, RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID,
             RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST,
             RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID:
            self = .partitionsRevoked
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
             RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
            self = .unknownTopic
        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
            self = .topicAlreadyExists
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
             RD_KAFKA_RESP_ERR__RESOLVE:
            self = .connection
        case RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
             RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED,
             RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
            self = .authentication
        case RD_KAFKA_RESP_ERR__FATAL:
            self = .fatal
        case RD_KAFKA_RESP_ERR__INVALID_ARG, RD_KAFKA_RESP_ERR_INVALID_PARTITIONS,
             RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR, RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
            self = .invalidArgument
        default:
            self = .broker
        }
    }
}

extension KafkaError {
    /// An error from a librdkafka error code, with what was being done.
    init(rdKafkaError error: rd_kafka_resp_err_t, _ context: String, file: String = #fileID, line: UInt = #line) {
        self.init(Code(rdKafkaError: error),
                  "\(context): \(String(cString: rd_kafka_err2str(error))) (\(RDKafkaError.name(of: error)))",
                  librdkafkaCode: error.rawValue, file: file, line: line)
    }

    /// An error from a `rd_kafka_error_t` (the newer error object), which this call destroys.
    init(consuming error: OpaquePointer, _ context: String, file: String = #fileID, line: UInt = #line) {
        let code = rd_kafka_error_code(error)
        let fatal = rd_kafka_error_is_fatal(error) != 0
        let text = "\(context): \(String(cString: rd_kafka_error_string(error))) (\(String(cString: rd_kafka_error_name(error))))"
        rd_kafka_error_destroy(error)
        self.init(fatal ? .fatal : Code(rdKafkaError: code), text, librdkafkaCode: code.rawValue, file: file, line: line)
    }
}

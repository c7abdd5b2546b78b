import CRdKafka
import VeredictoCore

/// An error of the Kafka layer: configuration, client creation, produce, delivery, consume, commit, admin.
///
/// Codes are open-ended static values, so new ones can be added without breaking callers' `switch`es;
/// librdkafka's error codes are mapped onto them in one place, `Code(rdKafkaError:)`.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, independent of the message.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        init(_ name: String) { self.name = name }

        /// A configuration value is out of range or unknown to librdkafka.
        public static let invalidConfiguration = Code("invalid configuration")
        /// An argument of a call is invalid (e.g. a partition count of 0).
        public static let invalidArgument = Code("invalid argument")
        /// librdkafka could not create a client handle.
        public static let clientCreation = Code("client creation")
        /// The producer's local queue stayed full for longer than the enqueue timeout.
        public static let queueFull = Code("queue full")
        /// A message is larger than `message.max.bytes`.
        public static let messageTooLarge = Code("message too large")
        /// An operation did not finish in time (flush, admin request, delivery wait).
        public static let timedOut = Code("timed out")
        /// The broker did not accept a message (the delivery report carried an error).
        public static let deliveryFailed = Code("delivery failed")
        /// A message was removed from the producer's queue before delivery (the producer was closed).
        public static let purged = Code("purged")
        /// Offsets were not committed because the partitions were revoked by a rebalance, or the
        /// group is rebalancing: the messages will be delivered again (at-least-once).
        public static let partitionsRevoked = Code("partitions revoked")
        /// The topic or partition does not exist.
        public static let unknownTopic = Code("unknown topic or partition")
        /// A topic to create exists already.
        public static let topicAlreadyExists = Code("topic already exists")
        /// The brokers cannot be reached.
        public static let connection = Code("connection")
        /// Authentication or authorization was refused.
        public static let authentication = Code("authentication")
        /// The client was used after `close()`.
        public static let closed = Code("closed")
        /// librdkafka raised a fatal error: the client cannot be used any more.
        public static let fatal = Code("fatal")
        /// Any other error reported by librdkafka or the broker.
        public static let broker = Code("broker")

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

    public let code: Code
    /// One line saying what went wrong and, where it can, what to do about it.
    public let message: String
    /// librdkafka's error code (`rd_kafka_resp_err_t`) when the error came from librdkafka.
    public let librdkafkaCode: Int32?
    /// Where in the Kafka layer the error was raised.
    public let file: String
    public let line: UInt

    public init(_ code: Code, _ message: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = message
        self.librdkafkaCode = nil
        self.file = file
        self.line = line
    }

    /// An error from a librdkafka error code, with what was being done.
    init(rdKafkaError error: rd_kafka_resp_err_t, _ context: String, file: String = #fileID, line: UInt = #line) {
        self.code = Code(rdKafkaError: error)
        self.message = "\(context): \(String(cString: rd_kafka_err2str(error))) (\(String(cString: rd_kafka_err2name(error))))"
        self.librdkafkaCode = error.rawValue
        self.file = file
        self.line = line
    }

    /// An error from a `rd_kafka_error_t` (the newer error object), which this call destroys.
    init(consuming error: OpaquePointer, _ context: String, file: String = #fileID, line: UInt = #line) {
        let code = rd_kafka_error_code(error)
        let fatal = rd_kafka_error_is_fatal(error) != 0
        self.code = fatal ? .fatal : Code(rdKafkaError: code)
        self.message = "\(context): \(String(cString: rd_kafka_error_string(error))) (\(String(cString: rd_kafka_error_name(error))))"
        self.librdkafkaCode = code.rawValue
        self.file = file
        self.line = line
        rd_kafka_error_destroy(error)
    }

    public var description: String { "\(code): \(message) [\(file):\(line)]" }
}

extension KafkaError: ClassifiedError {
    /// A message too large, or a produce with an invalid argument, fails the same way each time.
    public var isPermanent: Bool { code == .messageTooLarge || code == .invalidArgument }
}

import VeredictoCore

/// An error of the Kafka layer: configuration, client creation, produce, delivery, consume, commit, admin.
///
/// Codes are open-ended static values, so new ones can be added without breaking callers' `switch`es;
/// librdkafka's error codes are mapped onto them in one place, `Code(rdKafkaError:)` (RDKafka/RDKafkaError.swift).
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
        self.init(code, message, librdkafkaCode: nil, file: file, line: line)
    }

    init(_ code: Code, _ message: String, librdkafkaCode: Int32?, file: String, line: UInt) {
        self.code = code
        self.message = message
        self.librdkafkaCode = librdkafkaCode
        self.file = file
        self.line = line
    }

    public var description: String { "\(code): \(message) [\(file):\(line)]" }
}

extension KafkaError: ClassifiedError {
    /// A message too large, or a produce with an invalid argument, fails the same way each time.
    public var isPermanent: Bool { code == .messageTooLarge || code == .invalidArgument }
}

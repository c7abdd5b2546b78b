/// An unreadable message, kept for the dead-letter topic: whole, or its first
/// `payloadPrefixLimit` bytes when it is larger (with its size).
public struct InvalidMessage: Sendable, Equatable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    /// The record's key (empty when it had none).
    public let key: [UInt8]
    public let reason: String
    /// The record's value, or its first `payloadPrefixLimit` bytes.
    public let payload: [UInt8]
    /// The size of the record's value in bytes (more than `payload.count` when it was cut).
    public let payloadBytes: Int

    /// The most of a value a dead letter carries: enough to recognise it, small enough that the
    /// dead letter itself always fits in a record (escaped, at most six bytes per byte).
    public static let payloadPrefixLimit = 64 * 1024

    public init(_ raw: RawMessage, reason: String) {
        self.init(topic: raw.topic, partition: raw.partition, offset: raw.offset, key: Array(raw.key), reason: reason,
                  value: raw.value)
    }

    /// A message at `topic`/`partition`/`offset` (-1 when it has no place yet, such as an
    /// output that could not be published).
    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8], reason: String,
                value: UnsafeRawBufferPointer) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.reason = reason
        payload = Array(value.prefix(Self.payloadPrefixLimit))
        payloadBytes = value.count
    }
}

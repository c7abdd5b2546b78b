/// An unreadable message, kept whole for the dead-letter topic.
public struct InvalidMessage: Sendable, Equatable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    /// The record's key (empty when it had none).
    public let key: [UInt8]
    public let reason: String
    public let payload: [UInt8]

    public init(_ raw: RawMessage, reason: String) {
        topic = raw.topic
        partition = raw.partition
        offset = raw.offset
        key = Array(raw.key)
        self.reason = reason
        payload = Array(raw.value)
    }
}

/// A message that could not be read, set aside with the reason (`dead_letters`) so that nothing
/// is dropped silently and its consumer can still commit past it.
public struct DeadLetter: PipelineMessage {
    public static var topic: Topic { .deadLetters }

    public var sourceTopic: String
    public var partition: Int
    public var offset: Int64
    /// Why it could not be read (a `MessageDecodingError` description, say).
    public var reason: String
    /// The original bytes as text; invalid UTF-8 is replaced with U+FFFD. A large record's
    /// dead letter carries only its first bytes (see `payloadBytes`).
    public var payload: String
    public var producedAt: Timestamp
    /// The size in bytes of the original value, when `payload` holds only its first bytes.
    public var payloadBytes: Int?

    public init(
        sourceTopic: String,
        partition: Int,
        offset: Int64,
        reason: String,
        payload: String,
        producedAt: Timestamp = .now(),
        payloadBytes: Int? = nil
    ) {
        self.sourceTopic = sourceTopic
        self.partition = partition
        self.offset = offset
        self.reason = reason
        self.payload = payload
        self.producedAt = producedAt
        self.payloadBytes = payloadBytes
    }

    /// A dead letter for the raw bytes of a message, repairing invalid UTF-8.
    public init(
        sourceTopic: String,
        partition: Int,
        offset: Int64,
        reason: String,
        payload: UnsafeRawBufferPointer,
        producedAt: Timestamp = .now(),
        payloadBytes: Int? = nil
    ) {
        self.init(
            sourceTopic: sourceTopic,
            partition: partition,
            offset: offset,
            reason: reason,
            payload: String(decoding: payload, as: UTF8.self),
            producedAt: producedAt,
            payloadBytes: payloadBytes
        )
    }

    public func encode(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("source_topic", sourceTopic)
        writer.field("partition", partition)
        writer.field("offset", offset)
        writer.field("reason", reason)
        writer.field("payload", payload)
        writer.field("produced_at", producedAt)
        if let payloadBytes { writer.field("payload_bytes", payloadBytes) }
        writer.endObject()
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> DeadLetter {
        try MessageFields.read(bytes) { fields in
            let letter = DeadLetter(
                sourceTopic: try fields.string("source_topic"),
                partition: try fields.int("partition"),
                offset: try fields.int64("offset"),
                reason: try fields.string("reason"),
                payload: try fields.string("payload"),
                producedAt: try fields.timestamp("produced_at")
            )
            var result = letter
            let size = try fields.int("payload_bytes", default: -1)
            result.payloadBytes = size >= 0 ? size : nil
            return result
        }
    }
}

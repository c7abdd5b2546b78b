
/// One consumed message, read in place: `key` and `payload` point straight into librdkafka's
/// buffer, with no copy.
///
/// A message is a view into its `KafkaMessageBatch` and is valid only while the batch is alive
/// (which a `for message in batch` loop guarantees). Copy what must outlive the batch.
public struct KafkaMessage {
    let pointer: UnsafePointer<RDKafkaMessagePointer.Pointee>

    public var topic: String { RDKafkaMessage.topicName(pointer) }
    public var partition: Int32 { pointer.pointee.partition }
    public var offset: Int64 { pointer.pointee.offset }

    /// The key's bytes, nil when the message has no key.
    public var key: UnsafeRawBufferPointer? {
        guard let key = pointer.pointee.key else { return nil }
        return UnsafeRawBufferPointer(start: key, count: pointer.pointee.key_len)
    }

    /// The value's bytes (empty for a null value).
    public var payload: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: pointer.pointee.payload, count: pointer.pointee.len)
    }

    /// The value of the last header named `name`, nil when there is none. Points into
    /// librdkafka's buffer, like `payload`.
    public func header(_ name: String) -> UnsafeRawBufferPointer? {
        RDKafkaMessage.header(pointer, name: name)
    }

    /// The message's timestamp in milliseconds since 1970, nil if the broker gave none.
    public var timestampMilliseconds: Int64? {
        let timestamp = RDKafkaMessage.timestamp(pointer)
        return timestamp >= 0 ? timestamp : nil
    }
}

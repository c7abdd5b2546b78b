/// A message of one pipeline topic, with its JSON codec.
///
/// Encoding writes every field, the original system's first and ours after them, in one fixed
/// order; optional fields are left out when nil. Decoding ignores unknown fields and throws
/// `MessageDecodingError` for invalid JSON or a required field that is missing or of the wrong
/// type.
public protocol PipelineMessage: Sendable, Equatable {
    /// The topic this message is published to.
    static var topic: Topic { get }

    /// Appends the message as one JSON object.
    func encode(into writer: inout JSONWriter)

    /// Decodes one JSON object spanning all of `bytes` (a Kafka payload, one JSONL line).
    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> Self
}

extension PipelineMessage {
    /// The message as UTF-8 JSON.
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        encode(into: &writer)
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws -> Self {
        try bytes.withUnsafeBytes { try decode($0) }
    }
}

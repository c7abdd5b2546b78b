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

    /// About how many bytes `encode` writes, so that the buffer is allocated once: messages
    /// carry whole answers, and every growth of the buffer is a copy.
    var encodedSizeEstimate: Int { get }
}

extension PipelineMessage {
    public var encodedSizeEstimate: Int { 1024 }

    /// The estimate for a message whose variable part is these texts: their bytes, a
    /// sixteenth more for escapes, and room for the field names, ids, numbers and timestamps.
    /// (Fixed parameters rather than a variadic list, which would allocate an array.)
    static func encodedSizeEstimate(texts a: String, _ b: String, _ c: String, _ d: String = "",
                                    _ e: String = "") -> Int {
        let total = a.utf8.count + b.utf8.count + c.utf8.count + d.utf8.count + e.utf8.count
        return total + total / 16 + 512
    }
}

extension PipelineMessage {
    /// The message as UTF-8 JSON.
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter(capacity: encodedSizeEstimate)
        encode(into: &writer)
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws -> Self {
        try bytes.withUnsafeBytes { try decode($0) }
    }
}

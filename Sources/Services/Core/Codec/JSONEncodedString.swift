/// A text already written as a JSON string (quotes and escapes included), for a text that goes
/// out in many messages, such as a cached answer: it is escaped once, then copied.
public struct JSONEncodedString: Sendable, Equatable {
    /// The JSON string, quotes included, exactly as `JSONWriter.string` writes the text.
    public let bytes: [UInt8]

    public init(_ text: String) {
        let length = text.utf8.count
        var writer = JSONWriter(capacity: length + length / 16 + 2)
        writer.string(text)
        bytes = writer.bytes
    }
}

extension JSONWriter {
    /// A string field whose value was written before (`JSONEncodedString`).
    public mutating func field(_ name: StaticString, _ value: JSONEncodedString) {
        key(name)
        appendRaw(value.bytes)
    }

    /// Appends already-encoded JSON given as an array.
    public mutating func appendRaw(_ json: [UInt8]) {
        json.withUnsafeBufferPointer { appendRaw($0) }
    }
}

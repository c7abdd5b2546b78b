import CMongoC
import CMongoShim

extension BSONDocument {
    /// The value of the top-level field `key`, or nil when there is none.
    public subscript(key: String) -> BSONValue? {
        let iterator = BSONIterator(document: self)
        return iterator.find(key) ? iterator.value : nil
    }

    /// All top-level fields, in document order.
    public var fields: [BSONField] {
        BSONIterator(document: self).fields()
    }

    public var keys: [String] {
        let iterator = BSONIterator(document: self)
        var keys: [String] = []
        while iterator.next() { keys.append(iterator.key) }
        return keys
    }

    /// The number of top-level fields.
    public var count: Int { Int(bson_count_keys(pointer)) }

    public var isEmpty: Bool { count == 0 }

    /// The document as a `BSONValue.document`.
    public var value: BSONValue { .document(fields) }

    /// The encoded size in bytes.
    public var byteCount: Int { Int(cmongoshim_bson_length(pointer)) }

    /// The document as relaxed extended JSON (numbers as plain JSON numbers, dates as ISO-8601),
    /// for logs, debugging and tests.
    public var relaxedExtendedJSON: String {
        guard let text = bson_as_relaxed_extended_json(pointer, nil) else {
            return "<invalid BSON document>"
        }
        defer { bson_free(text) }
        return String(cString: text)
    }
}

extension BSONDocument: CustomStringConvertible {
    public var description: String { relaxedExtendedJSON }
}

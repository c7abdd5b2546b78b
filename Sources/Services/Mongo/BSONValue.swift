/// One BSON value as a Swift value: what a field of a `BSONDocument` reads back as, and what
/// `BSONDocument.append(_:_:)` writes.
///
/// Literals build values: `"a"` is a string, `1` an int64, `1.5` a double, `true` a bool,
/// `[1, 2]` an array and `["k": 1]` an (ordered) document.
public enum BSONValue: Sendable, Hashable {
    case double(Double)
    case string(String)
    /// An embedded document, fields in document order.
    case document([BSONField])
    case array([BSONValue])
    /// An ObjectId as 24 lowercase hex digits.
    case objectID(String)
    case bool(Bool)
    /// A UTC datetime, milliseconds since the Unix epoch.
    case date(milliseconds: Int64)
    case null
    case int32(Int32)
    case int64(Int64)
    /// Any other BSON type (binary, timestamp, decimal128, regex, ...), kept as the canonical
    /// extended JSON of a one-field document `{"v": value}` so that it can be written back
    /// unchanged.
    case other(typeCode: UInt8, canonicalExtendedJSON: String)
}

/// One field of a document: a key and its value.
public struct BSONField: Sendable, Hashable {
    public var key: String
    public var value: BSONValue

    public init(_ key: String, _ value: BSONValue) {
        self.key = key
        self.value = value
    }
}

extension BSONValue {
    /// The value of `key` when this is a document (the first field with that key).
    public subscript(key: String) -> BSONValue? {
        guard case .document(let fields) = self else { return nil }
        return fields.first { $0.key == key }?.value
    }

    /// The element at `index` when this is an array and the index is in range.
    public subscript(index: Int) -> BSONValue? {
        guard case .array(let values) = self, values.indices.contains(index) else { return nil }
        return values[index]
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// An int32 or int64, or a double with an exact integer value (servers may return any of
    /// the three for a count or a sum).
    public var int64Value: Int64? {
        switch self {
        case .int32(let value): return Int64(value)
        case .int64(let value): return value
        case .double(let value): return Int64(exactly: value)
        default: return nil
        }
    }

    /// Any numeric value as a double.
    public var doubleValue: Double? {
        switch self {
        case .int32(let value): return Double(value)
        case .int64(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    public var documentValue: [BSONField]? {
        if case .document(let fields) = self { return fields }
        return nil
    }

    public var arrayValue: [BSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var isNull: Bool { self == .null }
}

extension BSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int64(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: BSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, BSONValue)...) {
        self = .document(elements.map { BSONField($0.0, $0.1) })
    }
}

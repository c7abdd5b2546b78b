/// The top-level fields of one JSON message, found in place by `JSONScanner` and read by name
/// with the conversions and error messages that every message type shares.
///
/// It points into the message bytes, so it lives only inside `MessageFields.read`. Lookups
/// start where the previous one matched: fields written in the order a type reads them (our
/// own encoders) cost one comparison each, any other order still works.
struct MessageFields {
    struct Entry {
        var key: UnsafeBufferPointer<UInt8>
        var keyEscaped: Bool
        var value: JSONScanner.Value
    }

    private let entries: UnsafeBufferPointer<Entry>
    private var cursor = 0

    private init(entries: UnsafeBufferPointer<Entry>) {
        self.entries = entries
    }

    /// Most messages have fewer top-level fields than this; more are read in a second pass.
    private static let stackCapacity = 32

    /// Scans `bytes` as one JSON object and hands its fields to `body`.
    static func read<Message>(
        _ bytes: UnsafeRawBufferPointer,
        _ body: (inout MessageFields) throws -> Message
    ) throws -> Message {
        let text = UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        return try withUnsafeTemporaryAllocation(of: Entry.self, capacity: stackCapacity) { stack in
            var count = 0
            do {
                try JSONScanner.scanObject(text) { key, keyEscaped, value in
                    if count < stack.count {
                        stack.initializeElement(at: count, to: Entry(key: key, keyEscaped: keyEscaped, value: value))
                    }
                    count += 1
                }
            } catch let error as JSONScanner.SyntaxError {
                throw MessageDecodingError.invalidJSON(error)
            }
            if count <= stack.count {
                var fields = MessageFields(entries: UnsafeBufferPointer(rebasing: stack[..<count]))
                return try body(&fields)
            }
            var heap: [Entry] = []
            heap.reserveCapacity(count)
            try JSONScanner.scanObject(text) { key, keyEscaped, value in
                heap.append(Entry(key: key, keyEscaped: keyEscaped, value: value))
            }
            return try heap.withUnsafeBufferPointer { entries in
                var fields = MessageFields(entries: entries)
                return try body(&fields)
            }
        }
    }

    /// The value of field `name`, or nil when it is absent.
    mutating func value(_ name: StaticString) -> JSONScanner.Value? {
        let count = entries.count
        var i = cursor
        for _ in 0..<count {
            if i >= count { i = 0 }
            let entry = entries[i]
            let matches = entry.keyEscaped
                ? (try? JSONScanner.string(entry.key, escaped: true)) == name.description
                : JSONScanner.key(entry.key, is: name)
            if matches {
                cursor = i + 1
                return entry.value
            }
            i += 1
        }
        return nil
    }

    // MARK: - strings

    mutating func string(_ name: StaticString) throws -> String {
        guard let value = value(name) else { throw MessageDecodingError.missing(name) }
        return try Self.string(value, name)
    }

    /// Nil when the field is absent or null.
    mutating func optionalString(_ name: StaticString) throws -> String? {
        guard let value = value(name) else { return nil }
        if case .null = value { return nil }
        return try Self.string(value, name)
    }

    mutating func string(_ name: StaticString, default defaultValue: @autoclosure () -> String) throws -> String {
        try optionalString(name) ?? defaultValue()
    }

    /// Checks field `name` as `string(_:)` reads it (same errors) and returns its raw value,
    /// so that a reader makes a String of it only if it turns out to need one.
    mutating func checkedString(_ name: StaticString) throws -> RawString {
        guard let value = value(name) else { throw MessageDecodingError.missing(name) }
        return try Self.checkedString(value, name)
    }

    static func checkedString(_ value: JSONScanner.Value, _ name: StaticString) throws -> RawString {
        guard case .string(let raw, let escaped) = value else { throw MessageDecodingError.field(name, must: "a string") }
        do {
            try JSONScanner.checkString(raw, escaped: escaped)
        } catch let error as JSONScanner.SyntaxError {
            throw MessageDecodingError(field: "\(name)", description: "field \"\(name)\" is not a valid JSON string: \(error.reason)")
        }
        return RawString(raw: raw, escaped: escaped)
    }

    /// A checked string field still in the message bytes (valid inside `read` only).
    struct RawString {
        let raw: UnsafeBufferPointer<UInt8>
        let escaped: Bool

        /// The field as a String (it was checked: unescaping cannot fail).
        func string() -> String {
            (try? JSONScanner.string(raw, escaped: escaped)) ?? ""
        }
    }

    /// An id given as a JSON string, or as an integer (read as its decimal digits).
    mutating func identifier(_ name: StaticString) throws -> String {
        guard let value = value(name) else { throw MessageDecodingError.missing(name) }
        switch value {
        case .string(let raw, let escaped):
            return try Self.checkID(Self.unescape(raw, escaped, name), name, maximum: MessageDomain.maximumIDBytes)
        case .number(let raw):
            guard let integer = Self.integer(raw) else { throw MessageDecodingError.field(name, must: "a string or an integer") }
            return String(integer)
        default:
            throw MessageDecodingError.field(name, must: "a string or an integer")
        }
    }

    /// A string id: non-empty and at most `maximum` UTF-8 bytes (`MessageDomain`).
    mutating func id(_ name: StaticString, maximum: Int = MessageDomain.maximumIDBytes) throws -> String {
        try Self.checkID(string(name), name, maximum: maximum)
    }

    /// As `id(_:)`, nil when the field is absent or null.
    mutating func optionalID(_ name: StaticString, maximum: Int = MessageDomain.maximumIDBytes) throws -> String? {
        guard let id = try optionalString(name) else { return nil }
        return try Self.checkID(id, name, maximum: maximum)
    }

    /// Checks a string id without making a String of it.
    mutating func checkedID(_ name: StaticString, maximum: Int = MessageDomain.maximumIDBytes) throws -> RawString {
        let raw = try checkedString(name)
        // The escaped form is at least as long as the text: only a long escaped one needs reading.
        if raw.raw.isEmpty || (raw.raw.count > maximum && (!raw.escaped || raw.string().utf8.count > maximum)) {
            _ = try Self.checkID(raw.string(), name, maximum: maximum)
        }
        return raw
    }

    private static func checkID(_ id: String, _ name: StaticString, maximum: Int) throws -> String {
        if id.isEmpty { throw MessageDecodingError.field(name, is: "empty") }
        let length = id.utf8.count
        if length > maximum {
            throw MessageDecodingError.field(name, is: "\(length) bytes long, longer than \(maximum)")
        }
        return id
    }

    /// A string that must be one of `Value`'s raw values.
    mutating func choice<Value: RawRepresentable & CaseIterable>(_ name: StaticString) throws -> Value
    where Value.RawValue == String {
        guard let value = try optionalChoice(name) as Value? else { throw MessageDecodingError.missing(name) }
        return value
    }

    mutating func optionalChoice<Value: RawRepresentable & CaseIterable>(_ name: StaticString) throws -> Value?
    where Value.RawValue == String {
        guard let text = try optionalString(name) else { return nil }
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw MessageDecodingError.field(name, must: "one of \(allowed)")
        }
        return value
    }

    private static func string(_ value: JSONScanner.Value, _ name: StaticString) throws -> String {
        guard case .string(let raw, let escaped) = value else { throw MessageDecodingError.field(name, must: "a string") }
        return try unescape(raw, escaped, name)
    }

    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>, _ escaped: Bool, _ name: StaticString) throws -> String {
        do {
            return try JSONScanner.string(raw, escaped: escaped)
        } catch let error as JSONScanner.SyntaxError {
            throw MessageDecodingError(field: "\(name)", description: "field \"\(name)\" is not a valid JSON string: \(error.reason)")
        }
    }

    // MARK: - numbers

    mutating func int(_ name: StaticString) throws -> Int {
        guard let value = value(name) else { throw MessageDecodingError.missing(name) }
        return try Self.int(value, name)
    }

    /// `defaultValue` when the field is absent or null.
    mutating func int(_ name: StaticString, default defaultValue: Int) throws -> Int {
        guard let value = value(name) else { return defaultValue }
        if case .null = value { return defaultValue }
        return try Self.int(value, name)
    }

    /// An integer within `domain`.
    mutating func int(_ name: StaticString, in domain: ClosedRange<Int>) throws -> Int {
        try Self.check(int(name), domain, name)
    }

    /// An integer within `domain`; `defaultValue` when the field is absent or null.
    mutating func int(_ name: StaticString, in domain: ClosedRange<Int>, default defaultValue: Int) throws -> Int {
        try Self.check(int(name, default: defaultValue), domain, name)
    }

    private static func check(_ value: Int, _ domain: ClosedRange<Int>, _ name: StaticString) throws -> Int {
        guard domain.contains(value) else {
            throw MessageDecodingError.field(name, must: "an integer from \(domain.lowerBound) to \(domain.upperBound), not \(value)")
        }
        return value
    }

    mutating func int64(_ name: StaticString) throws -> Int64 {
        guard let value = value(name) else { throw MessageDecodingError.missing(name) }
        guard case .number(let raw) = value, let integer = Self.integer(raw) else {
            throw MessageDecodingError.field(name, must: "an integer")
        }
        return integer
    }

    private static func int(_ value: JSONScanner.Value, _ name: StaticString) throws -> Int {
        guard case .number(let raw) = value, let integer = integer(raw), let result = Int(exactly: integer) else {
            throw MessageDecodingError.field(name, must: "an integer")
        }
        return result
    }

    /// A number; null reads as NaN, which is how `JSONWriter` writes a non-finite double.
    mutating func double(_ name: StaticString) throws -> Double {
        guard let value = value(name) else { throw MessageDecodingError.missing(name) }
        if case .null = value { return .nan }
        return try Self.double(value, name)
    }

    /// Nil when the field is absent or null.
    mutating func optionalDouble(_ name: StaticString) throws -> Double? {
        guard let value = value(name) else { return nil }
        if case .null = value { return nil }
        return try Self.double(value, name)
    }

    /// A finite number within `domain` (null, which is how a non-finite number is written, is not).
    mutating func double(_ name: StaticString, in domain: ClosedRange<Double>) throws -> Double {
        try Self.check(double(name), domain, name)
    }

    /// As `double(_:in:)`, nil when the field is absent or null.
    mutating func optionalDouble(_ name: StaticString, in domain: ClosedRange<Double>) throws -> Double? {
        guard let number = try optionalDouble(name) else { return nil }
        return try Self.check(number, domain, name)
    }

    private static func check(_ value: Double, _ domain: ClosedRange<Double>, _ name: StaticString) throws -> Double {
        guard value.isFinite else { throw MessageDecodingError.field(name, must: "a finite number") }
        guard domain.contains(value) else {
            throw MessageDecodingError.field(name, must: "a number from \(domain.lowerBound) to \(domain.upperBound), not \(value)")
        }
        return value
    }

    private static func double(_ value: JSONScanner.Value, _ name: StaticString) throws -> Double {
        guard case .number(let raw) = value, let number = JSONNumber.double(raw) else {
            throw MessageDecodingError.field(name, must: "a number")
        }
        return number
    }

    private static func integer(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
        JSONNumber.integer(raw)
    }

    // MARK: - booleans and timestamps

    mutating func bool(_ name: StaticString) throws -> Bool {
        guard let value = value(name) else { throw MessageDecodingError.missing(name) }
        guard case .bool(let flag) = value else { throw MessageDecodingError.field(name, must: "true or false") }
        return flag
    }

    /// `defaultValue` when the field is absent or null.
    mutating func bool(_ name: StaticString, default defaultValue: Bool) throws -> Bool {
        guard let value = value(name) else { return defaultValue }
        if case .null = value { return defaultValue }
        guard case .bool(let flag) = value else { throw MessageDecodingError.field(name, must: "true or false") }
        return flag
    }

    mutating func timestamp(_ name: StaticString) throws -> Timestamp {
        guard let timestamp = try optionalTimestamp(name) else {
            if value(name) == nil { throw MessageDecodingError.missing(name) }
            throw MessageDecodingError.field(name, is: "not an ISO-8601 timestamp")
        }
        return timestamp
    }

    /// Nil when the field is absent or null. A time outside `MessageDomain.timestamps` is an error.
    mutating func optionalTimestamp(_ name: StaticString) throws -> Timestamp? {
        guard let value = value(name) else { return nil }
        var parsed: Timestamp?
        switch value {
        case .null:
            return nil
        case .string(let raw, false):
            parsed = Timestamp(iso8601: raw)
        case .string(let raw, true):
            parsed = Timestamp(iso8601: try Self.unescape(raw, true, name))
        default:
            break
        }
        guard let timestamp = parsed else { throw MessageDecodingError.field(name, is: "not an ISO-8601 timestamp") }
        guard MessageDomain.timestamps.contains(timestamp.millisecondsSinceEpoch) else {
            throw MessageDecodingError.field(name, is: "\(timestamp), outside 2000-01-01 to 2099-12-31")
        }
        return timestamp
    }
}

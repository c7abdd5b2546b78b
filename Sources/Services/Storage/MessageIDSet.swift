/// The message ids a store has applied, held compactly: the common form, `v-` and 32
/// lowercase hex digits (a validated response's id, derived from a generated trace id), is
/// kept as 16 bytes; any other id as its string. The in-memory store remembers one id per
/// asking, so at a million askings this is the difference between about 30 MB and 110 MB.
public struct MessageIDSet: Sendable {
    struct Packed: Hashable, Sendable {
        let high: UInt64
        let low: UInt64

        func hash(into hasher: inout Hasher) {
            // The low half comes from a mixed counter: it alone spreads the ids.
            hasher.combine(low)
        }
    }

    private var packed: Set<Packed> = []
    private var others: Set<String> = []

    public init() {}

    public var count: Int { packed.count + others.count }

    /// Room for `capacity` ids of the common form without growing (each growth rehashes all).
    public init(minimumCapacity capacity: Int) {
        packed = Set(minimumCapacity: capacity)
    }

    public func contains(_ id: String) -> Bool {
        if let key = Self.pack(id) { return packed.contains(key) }
        return others.contains(id)
    }

    /// Adds `id`; returns false when it was there already.
    @discardableResult
    public mutating func insert(_ id: String) -> Bool {
        if let key = Self.pack(id) { return packed.insert(key).inserted }
        return others.insert(id).inserted
    }

    /// `v-` and 32 lowercase hex digits as two integers; nil for any other form (so that every
    /// id has exactly one representation).
    static func pack(_ id: String) -> Packed? {
        var id = id
        return id.withUTF8 { bytes -> Packed? in
            guard bytes.count == 34, bytes[0] == UInt8(ascii: "v"), bytes[1] == UInt8(ascii: "-") else { return nil }
            guard let high = hex(bytes, from: 2), let low = hex(bytes, from: 18) else { return nil }
            return Packed(high: high, low: low)
        }
    }

    private static func hex(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt64? {
        var value: UInt64 = 0
        for index in start..<(start + 16) {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}

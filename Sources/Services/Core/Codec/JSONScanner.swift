/// A strict, allocation-light reader of one flat JSON object (one line of JSONL, one Kafka
/// message): it walks the bytes in place and hands each top-level field to the caller as
/// byte ranges, so hot paths decode only the fields they need, without Foundation.
///
/// Nested objects and arrays are validated and skipped. Strings are returned raw (between
/// the quotes); `JSONScanner.decodeString` unescapes them.
public struct JSONScanner {
    /// A top-level value.
    public enum Value {
        /// Raw bytes between the quotes; `escaped` when they hold a backslash.
        case string(UnsafeBufferPointer<UInt8>, escaped: Bool)
        case number(UnsafeBufferPointer<UInt8>)
        case bool(Bool)
        case null
        /// A nested object or array (skipped).
        case composite
    }

    /// Why a text is not a valid JSON object, and where (byte offset).
    public struct SyntaxError: Error, CustomStringConvertible, Sendable {
        public let offset: Int
        public let reason: String
        public var description: String { "\(reason) at byte \(offset + 1)" }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Scans one JSON object that spans all of `bytes` (surrounding whitespace allowed) and
    /// calls `field(rawKey, keyEscaped, value)` for each top-level member in order.
    public static func scanObject(
        _ bytes: UnsafeBufferPointer<UInt8>,
        field: (UnsafeBufferPointer<UInt8>, Bool, Value) throws -> Void
    ) throws {
        var scanner = JSONScanner(bytes)
        scanner.skipWhitespace()
        try scanner.expect(UInt8(ascii: "{"), "expected '{' to open a JSON object")
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.position += 1
        } else {
            while true {
                scanner.skipWhitespace()
                guard scanner.peek() == UInt8(ascii: "\"") else { throw scanner.error("expected a quoted field name") }
                let (key, keyEscaped) = try scanner.scanString()
                scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"), "expected ':' after a field name")
                scanner.skipWhitespace()
                let value = try scanner.scanValue(depth: 0)
                try field(key, keyEscaped, value)
                scanner.skipWhitespace()
                guard let next = scanner.peek() else { throw scanner.error("unterminated object") }
                scanner.position += 1
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else {
                    scanner.position -= 1
                    throw scanner.error("expected ',' or '}' after a value")
                }
            }
        }
        scanner.skipWhitespace()
        guard scanner.position == bytes.count else { throw scanner.error("unexpected text after the object") }
    }

    /// Whether a raw, unescaped key equals `name`.
    @inline(__always)
    public static func key(_ raw: UnsafeBufferPointer<UInt8>, is name: StaticString) -> Bool {
        guard raw.count == name.utf8CodeUnitCount else { return false }
        return name.withUTF8Buffer { expected in
            raw.baseAddress.map { memcmpEqual($0, expected.baseAddress!, raw.count) } ?? true
        }
    }

    /// Unescapes the raw bytes of a JSON string, appending UTF-8 to `output`.
    public static func decodeString(_ raw: UnsafeBufferPointer<UInt8>, escaped: Bool, into output: inout [UInt8]) throws {
        guard escaped else {
            output.append(contentsOf: raw)
            return
        }
        // Unescaping never lengthens a string: reserve its raw length, then trim.
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: raw.count))
        do {
            let written = try output.withUnsafeMutableBufferPointer { buffer in
                try unescape(raw, into: buffer.baseAddress! + start)
            }
            output.removeLast(raw.count - written)
        } catch {
            output.removeLast(output.count - start)
            throw error
        }
    }

    /// Unescapes a raw JSON string into a Swift String (invalid UTF-8 is repaired).
    public static func string(_ raw: UnsafeBufferPointer<UInt8>, escaped: Bool) throws -> String {
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        return try String(unsafeUninitializedCapacity: raw.count) { buffer in
            try unescape(raw, into: buffer.baseAddress!)
        }
    }

    /// Whether every byte is below 0x80, eight bytes at a time.
    public static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        let count = bytes.count
        var high: UInt64 = 0
        var i = 0
        while i + 8 <= count {
            high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < count {
            high |= UInt64(bytes[i])
            i += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// Checks the escapes of a raw JSON string as unescaping it would (same errors), without
    /// writing anything: for fields a reader must validate but does not keep.
    public static func checkString(_ raw: UnsafeBufferPointer<UInt8>, escaped: Bool) throws {
        guard escaped else { return }
        var i = 0
        while i < raw.count {
            guard raw[i] == UInt8(ascii: "\\") else {
                i += 1
                continue
            }
            guard i + 1 < raw.count else { throw SyntaxError(offset: i, reason: "dangling escape") }
            let code = raw[i + 1]
            i += 2
            switch code {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                continue
            case UInt8(ascii: "u"):
                // A surrogate pair's second half is checked as the next escape, as
                // `unescape` checks it.
                _ = try hex4(raw, at: i)
                i += 4
            default:
                throw SyntaxError(offset: i - 1, reason: "invalid escape '\\\(Character(Unicode.Scalar(code)))'")
            }
        }
    }

    /// Writes the unescaped UTF-8 of `raw` at `output` (room for `raw.count` bytes, which is
    /// enough: every escape is longer than what it stands for) and returns its length. Runs
    /// between escapes are copied whole.
    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) throws -> Int {
        guard let base = raw.baseAddress else { return 0 }
        var i = 0
        var written = 0
        var runStart = 0
        func copyRun(to end: Int) {
            let length = end - runStart
            if length > 0 {
                UnsafeMutableRawPointer(output + written).copyMemory(from: base + runStart, byteCount: length)
                written += length
            }
        }
        @inline(__always) func put(_ byte: UInt8) {
            output[written] = byte
            written += 1
        }
        while i < raw.count {
            guard raw[i] == UInt8(ascii: "\\") else {
                i += 1
                continue
            }
            copyRun(to: i)
            guard i + 1 < raw.count else { throw SyntaxError(offset: i, reason: "dangling escape") }
            let code = raw[i + 1]
            i += 2
            switch code {
            case UInt8(ascii: "\""): put(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): put(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): put(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): put(0x08)
            case UInt8(ascii: "f"): put(0x0C)
            case UInt8(ascii: "n"): put(0x0A)
            case UInt8(ascii: "r"): put(0x0D)
            case UInt8(ascii: "t"): put(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(raw, at: i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar), i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"),
                   raw[i + 1] == UInt8(ascii: "u") {
                    let low = try hex4(raw, at: i + 2)
                    if (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                // A lone surrogate becomes U+FFFD, as a replacing decoder would.
                if (0xD800...0xDFFF).contains(scalar) { scalar = 0xFFFD }
                switch scalar {
                case ..<0x80:
                    put(UInt8(scalar))
                case ..<0x800:
                    put(UInt8(0xC0 | scalar >> 6))
                    put(UInt8(0x80 | scalar & 0x3F))
                case ..<0x10000:
                    put(UInt8(0xE0 | scalar >> 12))
                    put(UInt8(0x80 | scalar >> 6 & 0x3F))
                    put(UInt8(0x80 | scalar & 0x3F))
                default:
                    put(UInt8(0xF0 | scalar >> 18))
                    put(UInt8(0x80 | scalar >> 12 & 0x3F))
                    put(UInt8(0x80 | scalar >> 6 & 0x3F))
                    put(UInt8(0x80 | scalar & 0x3F))
                }
            default:
                throw SyntaxError(offset: i - 1, reason: "invalid escape '\\\(Character(Unicode.Scalar(code)))'")
            }
            runStart = i
        }
        copyRun(to: raw.count)
        return written
    }

    private static func hex4(_ raw: UnsafeBufferPointer<UInt8>, at index: Int) throws -> UInt32 {
        guard index + 4 <= raw.count else { throw SyntaxError(offset: index, reason: "truncated \\u escape") }
        var value: UInt32 = 0
        for k in 0..<4 {
            let c = raw[index + k]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw SyntaxError(offset: index + k, reason: "invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
        }
        return value
    }

    // MARK: - scanning

    @inline(__always) private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private func error(_ reason: String) -> SyntaxError { SyntaxError(offset: position, reason: reason) }

    private mutating func expect(_ byte: UInt8, _ reason: String) throws {
        guard peek() == byte else { throw error(reason) }
        position += 1
    }

    @inline(__always) private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// At an opening quote: returns the raw content and whether it holds escapes.
    private mutating func scanString() throws -> (UnsafeBufferPointer<UInt8>, Bool) {
        position += 1
        let start = position
        var escaped = false
        let base = UnsafeRawPointer(bytes.baseAddress!)
        while true {
            // Eight bytes at a time up to the next quote, backslash or control character; past
            // two clean words (a text, not a key or an id), thirty-two at a time until a block
            // holds one, which the word loop then finds.
            var cleanWords = 0
            while position + 8 <= bytes.count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                let special = JSONScanner.stringSpecialBytes(word)
                if special != 0 {
                    position += special.trailingZeroBitCount >> 3
                    break
                }
                position += 8
                cleanWords += 1
                if cleanWords == 2 { position = JSONScanner.plainRunEnd(base, from: position, count: bytes.count) }
            }
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<position])
                position += 1
                return (raw, escaped)
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position += 2
                continue
            }
            if byte < 0x20 { throw error("control character in a string (escape it)") }
            position += 1
        }
        throw SyntaxError(offset: start - 1, reason: "unterminated string")
    }

    /// The first offset from `start` at which a block of 32 bytes holds a quote, a backslash or
    /// a control character, or where fewer than 32 bytes are left: the bytes before it need no
    /// escaping. Four words are tested per branch (the word test below, OR-ed), so long texts
    /// cost a quarter of the branches of the word-at-a-time loop.
    @inline(__always)
    static func plainRunEnd(_ base: UnsafeRawPointer, from start: Int, count: Int) -> Int {
        var position = start
        while position + 32 <= count {
            let a = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            let b = base.loadUnaligned(fromByteOffset: position + 8, as: UInt64.self)
            let c = base.loadUnaligned(fromByteOffset: position + 16, as: UInt64.self)
            let d = base.loadUnaligned(fromByteOffset: position + 24, as: UInt64.self)
            let special = stringSpecialBytes(UInt64(littleEndian: a)) | stringSpecialBytes(UInt64(littleEndian: b))
                | stringSpecialBytes(UInt64(littleEndian: c)) | stringSpecialBytes(UInt64(littleEndian: d))
            if special != 0 { break }
            position += 32
        }
        return position
    }

    /// The high bit of every byte of `word` that is a quote, a backslash or below 0x20; the
    /// lowest set bit marks the first such byte exactly (bits above it may be false positives).
    @inline(__always)
    static func stringSpecialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- ones &* 0x20) & ~word
        return (control | (quote &- ones) & ~quote | (backslash &- ones) & ~backslash) & highBits
    }

    private mutating func scanValue(depth: Int) throws -> Value {
        guard let byte = peek() else { throw error("expected a value") }
        switch byte {
        case UInt8(ascii: "\""):
            let (raw, escaped) = try scanString()
            return .string(raw, escaped: escaped)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipComposite(depth: depth)
            return .composite
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try scanNumber())
        default:
            throw error("expected a value")
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count,
              word.withUTF8Buffer({ memcmpEqual(bytes.baseAddress! + position, $0.baseAddress!, count) })
        else { throw error("invalid literal") }
        position += count
    }

    private mutating func scanNumber() throws -> UnsafeBufferPointer<UInt8> {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        func digits(_ scanner: inout JSONScanner) -> Int {
            let from = scanner.position
            while let c = scanner.peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { scanner.position += 1 }
            return scanner.position - from
        }
        guard digits(&self) > 0 else { throw error("invalid number") }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard digits(&self) > 0 else { throw error("invalid number") }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard digits(&self) > 0 else { throw error("invalid number") }
        }
        return UnsafeBufferPointer(rebasing: bytes[start..<position])
    }

    private mutating func skipComposite(depth: Int) throws {
        guard depth < 64 else { throw error("nesting deeper than 64 levels") }
        let open = bytes[position]
        let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
        position += 1
        skipWhitespace()
        if peek() == close {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            if open == UInt8(ascii: "{") {
                guard peek() == UInt8(ascii: "\"") else { throw error("expected a quoted field name") }
                _ = try scanString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "expected ':' after a field name")
                skipWhitespace()
            }
            _ = try scanValue(depth: depth + 1)
            skipWhitespace()
            guard let next = peek() else { throw error("unterminated \(open == UInt8(ascii: "{") ? "object" : "array")") }
            position += 1
            if next == close { return }
            guard next == UInt8(ascii: ",") else {
                position -= 1
                throw error("expected ',' or '\(Character(Unicode.Scalar(close)))'")
            }
        }
    }
}

/// Whether `count` bytes at `a` and `b` are equal: eight at a time (the last word overlapping
/// the one before), byte by byte below eight. Field names are mostly 5 to 16 bytes long.
@inline(__always)
private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    guard count >= 8 else {
        for i in 0..<count where a[i] != b[i] { return false }
        return true
    }
    let left = UnsafeRawPointer(a)
    let right = UnsafeRawPointer(b)
    var i = 0
    while i + 8 < count {
        if left.loadUnaligned(fromByteOffset: i, as: UInt64.self) != right.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i += 8
    }
    return left.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        == right.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
}

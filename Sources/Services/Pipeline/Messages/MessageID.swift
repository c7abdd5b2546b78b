/// Fresh message and trace ids: 128 random bits from the system generator as 32 lowercase hex
/// characters (the form of Python's `uuid4().hex`), unique without coordination between
/// processes.
public enum MessageID {
    private static let hexDigits: StaticString = "0123456789abcdef"

    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next()
        let low = generator.next()
        return String(unsafeUninitializedCapacity: 32) { buffer in
            write(high, into: buffer, at: 0)
            write(low, into: buffer, at: 16)
            return 32
        }
    }

    @inline(__always)
    private static func write(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        let digits = hexDigits.utf8Start
        for k in 0..<16 {
            buffer[start + k] = digits[Int(truncatingIfNeeded: (value >> (60 - 4 * UInt64(k))) & 0xF)]
        }
    }
}

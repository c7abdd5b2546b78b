import Synchronization

/// Fresh message and trace ids as 32 lowercase hex characters (the form of Python's
/// `uuid4().hex`), unique without coordination between processes: 64 random bits drawn
/// from the system generator once per process, then a process-wide counter passed through
/// a bijective mix (so ids never repeat within a process and look random). One system
/// call per process instead of one per message: the pipeline makes several ids per question.
public enum MessageID {
    private static let hexDigits: StaticString = "0123456789abcdef"
    private static let processBits: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    private static let counter = Atomic<UInt64>(0)

    public static func make() -> String {
        let sequence = counter.add(1, ordering: .relaxed).newValue
        let high = processBits
        var low = sequence &+ (processBits >> 1)
        low ^= low >> 33
        low &*= 0xff51_afd7_ed55_8ccd
        low ^= low >> 33
        low &*= 0xc4ce_b9fe_1a85_ec53
        low ^= low >> 33
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

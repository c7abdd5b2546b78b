#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The time source of an `AnswerCache`: monotonic milliseconds, never going backwards.
///
/// Services use `.monotonic`; tests inject their own clock to control expiry.
public struct CacheClock: Sendable {
    private let read: @Sendable () -> UInt64

    /// A clock that reads `milliseconds`, which must never decrease.
    public init(milliseconds: @escaping @Sendable () -> UInt64) {
        read = milliseconds
    }

    /// The current time in milliseconds.
    public func now() -> UInt64 { read() }

    /// The system's monotonic clock (`CLOCK_MONOTONIC`): unaffected by wall-clock changes.
    public static let monotonic = CacheClock {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1000 &+ UInt64(spec.tv_nsec) / 1_000_000
    }
}

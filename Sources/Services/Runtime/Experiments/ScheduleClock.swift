import Cache
import Generator
import VeredictoCore
/// The time of a compressed experiment run, as the run would have lived it: the arrival
/// schedule's time, stretched back by the speed-up, of the latest asking both sent and read
/// by the cache.
///
/// A run replayed `speedup` times faster than its arrival process sends question n at
/// `t_n / speedup` of wall time; this clock then reads `t_n`. Given to the cache as its clock,
/// a TTL of 60 s expires after 60 s of the schedule, whatever the speed-up. It follows the
/// sends rather than the wall clock, so if the pipeline cannot keep up and the generator falls
/// behind its schedule, the run's time waits for it instead of expiring entries early. And it
/// follows the askings the cache has read (`asked(at:)`, from their send time): when the
/// generator runs ahead of a cache that cannot keep up (a loaded machine), the time does not
/// jump to the end of the schedule while the cache still works on its beginning, where no
/// entry would ever expire.
public final class ScheduleClock: Sendable {
    public let speedup: Double
    private struct State {
        /// Schedule time of the latest asking sent, ms.
        var sent: UInt64 = 0
        /// Schedule time of the latest asking the cache read, ms (from its send time).
        var read: UInt64 = 0
        /// Wall time, µs, at which the schedule started (known from the first send).
        var startMicroseconds: Int64?
    }
    private let state = LockedValue(State())

    public init(speedup: Double) {
        precondition(speedup > 0 && speedup.isFinite, "speed-up must be a positive number")
        self.speedup = speedup
    }

    /// Moves the sent time to the schedule of the latest of `sends` (it never goes back).
    public func advance(past sends: [QuestionGenerator.Send]) {
        guard let last = sends.max(by: { $0.scheduledMilliseconds < $1.scheduledMilliseconds }) else { return }
        let time = UInt64(max(0, last.scheduledMilliseconds * speedup))
        // The schedule's origin on the wall clock: the send's time less its place in the schedule.
        let start = last.sentAt.microsecondsSinceEpoch - Int64(last.scheduledMilliseconds * 1000)
        state.withLock {
            $0.sent = max($0.sent, time)
            $0.startMicroseconds = min($0.startMicroseconds ?? start, start)
        }
    }

    /// The cache read an asking created at `createdAt` (when it was sent): the read time moves
    /// to that point of the schedule (it never goes back).
    public func asked(at createdAt: Timestamp) {
        state.withLock {
            guard let start = $0.startMicroseconds else { return }
            let elapsed = Double(createdAt.microsecondsSinceEpoch - start) / 1000 * speedup
            $0.read = max($0.read, UInt64(max(0, elapsed)))
        }
    }

    /// The run's time in milliseconds since its first send.
    public var now: UInt64 { state.withLock { min($0.sent, $0.read) } }

    /// This clock as the cache reads it.
    public var cacheClock: CacheClock { CacheClock { [self] in now } }
}

extension ArrivalProcess {
    /// The same process `speedup` times faster: gaps divided by `speedup`.
    public func compressed(by speedup: Double) -> ArrivalProcess {
        switch self {
        case .poisson(let lambda): return .poisson(lambda: lambda * speedup)
        case .uniform(let low, let high): return .uniform(low: low / speedup, high: high / speedup)
        case .constant(let rate): return .constant(rate: rate * speedup)
        }
    }

    /// The kind of process: `poisson`, `uniform` or `constant`.
    public var kind: String {
        switch self {
        case .poisson: return "poisson"
        case .uniform: return "uniform"
        case .constant: return "constant"
        }
    }
}

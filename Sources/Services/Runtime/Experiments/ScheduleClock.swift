import Cache
import Generator
import VeredictoCore
/// The time of a compressed experiment run, as the run would have lived it: the arrival
/// schedule's time of the latest question sent, stretched back by the speed-up.
///
/// A run replayed `speedup` times faster than its arrival process sends question n at
/// `t_n / speedup` of wall time; this clock then reads `t_n`. Given to the cache as its clock,
/// a TTL of 60 s expires after 60 s of the schedule, whatever the speed-up. It follows the
/// sends rather than the wall clock, so if the pipeline cannot keep up and the generator falls
/// behind its schedule, the run's time waits for it instead of expiring entries early.
public final class ScheduleClock: Sendable {
    public let speedup: Double
    private let milliseconds = LockedValue<UInt64>(0)

    public init(speedup: Double) {
        precondition(speedup > 0 && speedup.isFinite, "speed-up must be a positive number")
        self.speedup = speedup
    }

    /// Moves the time to the schedule of the latest of `sends` (it never goes back).
    public func advance(past sends: [QuestionGenerator.Send]) {
        guard let last = sends.map(\.scheduledMilliseconds).max() else { return }
        let time = UInt64(max(0, last * speedup))
        milliseconds.withLock { $0 = max($0, time) }
    }

    /// The run's time in milliseconds since its first send.
    public var now: UInt64 { milliseconds.withLock { $0 } }

    /// This clock as the cache reads it.
    public var cacheClock: CacheClock { CacheClock { [milliseconds] in milliseconds.withLock { $0 } } }
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

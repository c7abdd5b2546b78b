#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VeredictoCore

/// When the generator sends the next question: the gap before each message.
public enum ArrivalProcess: Sendable, Equatable, CustomStringConvertible {
    /// Poisson arrivals at `lambda` messages per second (exponential gaps).
    case poisson(lambda: Double)
    /// Gaps drawn uniformly from `low`...`high` seconds.
    case uniform(low: Double, high: Double)
    /// A fixed rate in messages per second; 0 sends as fast as possible.
    case constant(rate: Double)

    /// Checks the parameters; the error says what to fix in one line.
    public func validated() throws -> ArrivalProcess {
        switch self {
        case .poisson(let lambda):
            guard lambda > 0, lambda.isFinite else { throw ConfigurationError("--lambda must be a positive rate per second, got \(lambda)") }
        case .uniform(let low, let high):
            guard low >= 0, high >= low, high.isFinite else {
                throw ConfigurationError("--low and --high must satisfy 0 <= low <= high (seconds), got \(low) and \(high)")
            }
        case .constant(let rate):
            guard rate >= 0, rate.isFinite else { throw ConfigurationError("--rate must be >= 0 (0 = as fast as possible), got \(rate)") }
        }
        return self
    }

    /// The gap before the next message, in seconds.
    public func nextGap(_ random: inout SplitMix64) -> Double {
        switch self {
        case .poisson(let lambda):
            return -log(1 - random.unit()) / lambda
        case .uniform(let low, let high):
            return low + (high - low) * random.unit()
        case .constant(let rate):
            return rate == 0 ? 0 : 1 / rate
        }
    }

    /// Mean messages per second (infinite when as fast as possible).
    public var meanRate: Double {
        switch self {
        case .poisson(let lambda): return lambda
        case .uniform(let low, let high): return 2 / (low + high)
        case .constant(let rate): return rate == 0 ? .infinity : rate
        }
    }

    public var description: String {
        switch self {
        case .poisson(let lambda): return "poisson(lambda=\(Self.rate(lambda))/s)"
        case .uniform(let low, let high): return "uniform(\(low)s..\(high)s)"
        case .constant(let rate): return rate == 0 ? "as fast as possible" : "constant(\(Self.rate(rate))/s)"
        }
    }

    /// A rate as people write it: whole numbers without decimals, others to one decimal.
    private static func rate(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String((value * 10).rounded() / 10)
    }
}

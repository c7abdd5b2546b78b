#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VeredictoCore

/// How long the offline model takes to answer: nothing, a fixed time, or a log-normal time (the
/// usual shape of service latencies: a median and a long right tail).
public enum LatencyModel: Equatable, Sendable, CustomStringConvertible {
    case none
    case fixed(Duration)
    /// `median * exp(sigma * Z)` with `Z` standard normal.
    case logNormal(median: Duration, sigma: Double)

    /// The model for `LLM_LATENCY_MS` (median, 0 = none) and `LLM_LATENCY_SIGMA` (0 = fixed).
    public init(medianMilliseconds: Double, sigma: Double) {
        if medianMilliseconds <= 0 {
            self = .none
        } else if sigma <= 0 {
            self = .fixed(.milliseconds(medianMilliseconds))
        } else {
            self = .logNormal(median: .milliseconds(medianMilliseconds), sigma: sigma)
        }
    }

    /// One latency drawn with `random`.
    public func sample(using random: inout SplitMix64) -> Duration {
        switch self {
        case .none:
            return .zero
        case .fixed(let duration):
            return duration
        case .logNormal(let median, let sigma):
            return median * exp(sigma * random.normal())
        }
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .fixed(let duration): "fixed \(duration)"
        case .logNormal(let median, let sigma): "log-normal median \(median) sigma \(sigma)"
        }
    }
}

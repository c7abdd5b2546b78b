import Foundation
import Histogram
import VeredictoCore

/// Latency distribution of a run (HdrHistogram, microsecond resolution up to an hour, three
/// significant digits), safe to record into from any thread.
public final class LatencyRecorder: @unchecked Sendable {
    // @unchecked: the histogram is only touched under `lock`.
    private var histogram = LatencyRecorder.emptyHistogram()
    /// The same latencies split by the way each asking went (filled by `record(milliseconds:paths:)`).
    private var byPath: [DecisionPath: Histogram<UInt64>] = [:]
    private let lock = NSLock()

    public init() {}

    private static func emptyHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    }

    private static func microseconds(_ milliseconds: Double) -> UInt64 {
        UInt64(max(0, min(milliseconds * 1000, 3_600_000_000)))
    }

    /// Records latencies given in milliseconds.
    public func record(milliseconds values: [Double]) {
        lock.lock()
        defer { lock.unlock() }
        for value in values {
            _ = histogram.record(Self.microseconds(value))
        }
    }

    /// Records latencies given in milliseconds with the path of each (`paths[i]` is the path
    /// of `values[i]`): they count in the whole distribution and in their path's.
    public func record(milliseconds values: [Double], paths: [DecisionPath]) {
        precondition(values.count == paths.count, "one path per latency")
        lock.lock()
        defer { lock.unlock() }
        for (value, path) in zip(values, paths) {
            let microseconds = Self.microseconds(value)
            _ = histogram.record(microseconds)
            _ = byPath[path, default: Self.emptyHistogram()].record(microseconds)
        }
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var count: UInt64
        public var meanMilliseconds: Double
        public var p50Milliseconds: Double
        public var p90Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
    }

    public var summary: Summary {
        lock.lock()
        defer { lock.unlock() }
        return Self.summary(of: histogram)
    }

    /// The summary of each path that has latencies, cache first, then by LLM attempts.
    public var summaryByPath: [(path: DecisionPath, summary: Summary)] {
        lock.lock()
        defer { lock.unlock() }
        return byPath.keys.sorted().map { (path: $0, summary: Self.summary(of: byPath[$0]!)) }
    }

    private static func summary(of histogram: Histogram<UInt64>) -> Summary {
        guard histogram.totalCount > 0 else {
            return Summary(count: 0, meanMilliseconds: 0, p50Milliseconds: 0, p90Milliseconds: 0, p99Milliseconds: 0, maxMilliseconds: 0)
        }
        return Summary(count: histogram.totalCount, meanMilliseconds: histogram.mean / 1000,
                       p50Milliseconds: Double(histogram.valueAtPercentile(50)) / 1000,
                       p90Milliseconds: Double(histogram.valueAtPercentile(90)) / 1000,
                       p99Milliseconds: Double(histogram.valueAtPercentile(99)) / 1000,
                       maxMilliseconds: Double(histogram.max) / 1000)
    }

    /// The latency at `percentile` (0...100), in milliseconds; 0 before the first record.
    public func milliseconds(atPercentile percentile: Double) -> Double {
        lock.lock()
        defer { lock.unlock() }
        guard histogram.totalCount > 0 else { return 0 }
        return Double(histogram.valueAtPercentile(min(100, max(0, percentile)))) / 1000
    }

    /// (latency ms, cumulative fraction) points of the distribution, for a CDF plot.
    public func cdf(points: Int = 100) -> [(x: Double, y: Double)] {
        lock.lock()
        defer { lock.unlock() }
        guard histogram.totalCount > 0 else { return [] }
        return (0...points).map { step in
            let percentile = min(100.0, Double(step) * 100 / Double(points))
            return (x: Double(histogram.valueAtPercentile(percentile)) / 1000, y: percentile / 100)
        }
    }
}

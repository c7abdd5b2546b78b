import Foundation
import Generator
import Observability
import Storage

/// The end-to-end latency distribution (question created to decision stored) of one run under
/// a given arrival process: its percentiles down to the 99.9th and the maximum, and its CDF.
public enum LatencyExperiment {
    /// One point of the distribution: `percentile` (0...100) of the questions were decided and
    /// stored within `milliseconds`.
    public struct Point: Sendable, Equatable {
        public var percentile: Double
        public var milliseconds: Double
    }

    public struct Outcome: Sendable {
        public var points: [Point]
        public var report: PipelineRun.Report

        /// The latency at `percentile`, from the recorded points (the nearest one at or above).
        public func milliseconds(at percentile: Double) -> Double {
            LatencyExperiment.milliseconds(at: percentile, in: points)
        }
    }

    /// The percentiles the table gives.
    public static let tablePercentiles: [(label: String, percentile: Double)] = [
        ("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9), ("max", 100),
    ]

    /// Every whole percentile, then finer steps through the tail.
    static let recordedPercentiles: [Double] = {
        var values = (0...99).map(Double.init)
        values += stride(from: 99.1, through: 99.9, by: 0.1).map { ($0 * 10).rounded() / 10 }
        values += [99.95, 99.99, 100]
        return values
    }()

    /// Runs `base` once over `backend` and reads the distribution.
    public static func run(_ base: PipelineRun, backend: ExperimentBackend = .embedded(), prefix: String = "latency_",
                           progressInterval: Duration = .milliseconds(500), progress: @Sendable (Int) -> Void = { _ in },
                           onSent: @escaping @Sendable ([QuestionGenerator.Send]) -> Void = { _ in }) async throws -> Outcome {
        let (run, transport) = try await backend.prepare(base, prefix: prefix)
        let latencies = LatencyRecorder()
        let report = try await run.run(transport: transport, store: InMemoryResultStore(), latencies: latencies,
                                       progressInterval: progressInterval, progress: progress, onSent: onSent)
        let points = recordedPercentiles.map { Point(percentile: $0, milliseconds: latencies.milliseconds(atPercentile: $0)) }
        return Outcome(points: points, report: report)
    }

    static func milliseconds(at percentile: Double, in points: [Point]) -> Double {
        points.first { $0.percentile >= percentile - 1e-9 }?.milliseconds ?? points.last?.milliseconds ?? 0
    }

    /// The latency of each path of a run (cache, LLM at 1, 2, 3 attempts, failed), as table
    /// rows under `pathHeader`.
    public static let pathHeader = ["path", "askings", "p50 ms", "p90 ms", "p99 ms", "max ms"]

    public static func pathRows(_ report: PipelineRun.Report) -> [[String]] {
        report.latencyByPath.map { path, latency in
            [path.descriptionWithTopics, "\(latency.count)"]
                + [latency.p50Milliseconds, latency.p90Milliseconds, latency.p99Milliseconds, latency.maxMilliseconds]
                .map { String(format: "%.1f", $0) }
        }
    }

    public static let csvHeader = "percentile,latency_ms"

    public static func csv(_ points: [Point]) -> String {
        csvHeader + "\n" + points.map { "\($0.percentile),\($0.milliseconds)\n" }.joined()
    }

    /// Points back from a CSV file written by `csv` (for the report).
    public static func parse(csv text: String) -> [Point] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: ",")
            guard fields.count == 2, let percentile = Double(fields[0]), let milliseconds = Double(fields[1]) else { return nil }
            return Point(percentile: percentile, milliseconds: milliseconds)
        }
    }

    /// The CDF (fraction of questions against latency), and the tail: latency against
    /// percentile from the 90th up.
    public static func charts(_ points: [Point], label: String = "latency") -> [SVGChart] {
        var cdf = SVGChart(title: "End-to-end latency CDF", xLabel: "end-to-end latency (ms)", yLabel: "fraction of questions",
                           series: [.init(name: label, points: points.map { (x: $0.milliseconds, y: $0.percentile / 100) })])
        cdf.xMinimum = 0
        let tail = SVGChart(title: "Latency tail by percentile", xLabel: "percentile", yLabel: "end-to-end latency (ms)",
                            series: [.init(name: label, points: points.filter { $0.percentile >= 90 }
                                .map { (x: $0.percentile, y: $0.milliseconds) })])
        return [cdf, tail]
    }
}

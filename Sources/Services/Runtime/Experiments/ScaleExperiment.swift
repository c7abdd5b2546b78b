import Foundation
import Observability
import Storage
import VeredictoCore

/// Throughput against partitions and service instances: one run per configuration, each over
/// topics of its own with that many partitions and that many members in each consumer group
/// (cache, llm, score, store), all in this process. The generator sends as fast as it can (or
/// at the given arrival process); the sustained throughput is the rate at which decisions are
/// stored between 10% and 90% of the run, so neither the start nor the drain counts.
public enum ScaleExperiment {
    public struct Point: Sendable, Equatable {
        public var partitions: Int
        public var instances: Int
        public var questions: Int
        /// Questions decided per second from 10% to 90% of them.
        public var sustainedPerSecond: Double
        /// Questions decided per second over the whole measured run.
        public var overallPerSecond: Double
        public var p50: Double
        public var p99: Double
    }

    /// Runs `base` once per partition count and instance count.
    public static func run(_ base: PipelineRun, partitions: [Int], instances: [Int], backend: (Int) -> ExperimentBackend,
                           prefix: String = "scale_", onPoint: @Sendable (Point) -> Void = { _ in }) async throws -> [Point] {
        var points: [Point] = []
        for partitionCount in partitions {
            for instanceCount in instances {
                var run = base
                run.instances = instanceCount
                let (ready, transport) = try await backend(partitionCount)
                    .prepare(run, prefix: "\(prefix)p\(partitionCount)_i\(instanceCount)_")
                let samples = LockedValue<[(seconds: Double, decided: Int)]>([])
                let started = ContinuousClock.now
                let report = try await ready.run(transport: transport, store: InMemoryResultStore(),
                                                 progressInterval: .milliseconds(50), progress: { decided in
                    let elapsed = ContinuousClock.now - started
                    samples.withLock { $0.append((seconds: seconds(elapsed), decided: decided)) }
                })
                let point = Point(partitions: partitionCount, instances: instanceCount, questions: report.questions,
                                  sustainedPerSecond: sustainedRate(samples.withLock { $0 }, total: base.total) ?? report.questionsPerSecond,
                                  overallPerSecond: report.questionsPerSecond, p50: report.latency.p50Milliseconds,
                                  p99: report.latency.p99Milliseconds)
                onPoint(point)
                points.append(point)
            }
        }
        return points
    }

    static func seconds(_ duration: Duration) -> Double {
        duration.inSeconds
    }

    /// The rate between the first samples at 10% and at 90% of `total` decided; nil when the
    /// run was too short to have two such samples.
    static func sustainedRate(_ samples: [(seconds: Double, decided: Int)], total: Int) -> Double? {
        guard let low = samples.first(where: { $0.decided * 10 >= total }),
              let high = samples.first(where: { $0.decided * 10 >= total * 9 }),
              high.seconds > low.seconds, high.decided > low.decided else { return nil }
        return Double(high.decided - low.decided) / (high.seconds - low.seconds)
    }

    public static let csvHeader = "partitions,instances,questions,sustained_per_second,overall_per_second,p50_ms,p99_ms"

    public static func csv(_ points: [Point]) -> String {
        var out = csvHeader + "\n"
        for p in points {
            out += "\(p.partitions),\(p.instances),\(p.questions),\(p.sustainedPerSecond),\(p.overallPerSecond),\(p.p50),\(p.p99)\n"
        }
        return out
    }

    /// Points back from a CSV file written by `csv` (for the report).
    public static func parse(csv text: String) -> [Point] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: ",").map(String.init)
            guard f.count == 7, let partitions = Int(f[0]), let instances = Int(f[1]), let questions = Int(f[2]) else { return nil }
            let v = f[3...].compactMap { Double($0) }
            guard v.count == 4 else { return nil }
            return Point(partitions: partitions, instances: instances, questions: questions, sustainedPerSecond: v[0],
                         overallPerSecond: v[1], p50: v[2], p99: v[3])
        }
    }

    /// Sustained throughput against instances, one line per partition count.
    public static func charts(_ points: [Point]) -> [SVGChart] {
        var partitionCounts: [Int] = []
        for point in points where !partitionCounts.contains(point.partitions) { partitionCounts.append(point.partitions) }
        let series = partitionCounts.map { count in
            SVGChart.Series(name: count == 1 ? "1 partition" : "\(count) partitions", points: points.filter { $0.partitions == count }
                .sorted { $0.instances < $1.instances }.map { (x: Double($0.instances), y: $0.sustainedPerSecond) })
        }
        var throughput = SVGChart(title: "Throughput vs. instances", xLabel: "instances of each service",
                                  yLabel: "questions decided per second", series: series)
        var latency = SVGChart(title: "p99 latency vs. instances", xLabel: "instances of each service", yLabel: "p99 latency (ms)",
                               series: partitionCounts.map { count in
                                   SVGChart.Series(name: count == 1 ? "1 partition" : "\(count) partitions", points: points.filter { $0.partitions == count }
                                       .sorted { $0.instances < $1.instances }.map { (x: Double($0.instances), y: $0.p99) })
                               })
        // Instances are counted: ticks at whole numbers.
        throughput.integerX = true
        latency.integerX = true
        return [throughput, latency]
    }
}

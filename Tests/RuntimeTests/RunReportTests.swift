import Foundation
import Testing

@testable import Generator
@testable import Observability
@testable import Runtime

extension EmbeddedCommandTests {
    /// `veredicto report`: one page from a run's files, every chart on it holding data.
    @Suite struct RunReportTests {
        /// Each `<svg ...</svg>` of the page.
        static func charts(_ html: String) -> [Substring] {
            var out: [Substring] = []
            var rest = html[...]
            while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
                out.append(rest[start.lowerBound..<end.upperBound])
                rest = rest[end.upperBound...]
            }
            return out
        }

        /// A data line (a path of at least two points) or a data bar (a filled rect that is neither
        /// the background, the frame nor a legend swatch).
        static func hasData(_ svg: Substring) -> Bool {
            if svg.contains("<path d=\"M") && svg.contains(" L") { return true }
            return svg.split(separator: "<rect").dropFirst().contains { rect in
                rect.hasPrefix(" x=") && rect.contains("fill=\"#") && !rect.contains("width=\"10\" height=\"10\"")
            }
        }

        @Test(.timeLimit(.minutes(5)))
        func everyChartOfTheReportHasData() async throws {
            let directory = RunFilesTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            #expect(throws: RunReport.Missing.self) { try RunReport.build(directory: directory) }

            let questions = try EmbeddedPipelineTests.sampleQuestions()
            var run = PipelineRun(settings: PipelineSettings(), questions: questions, arrival: .constant(rate: 2000),
                                  popularity: try Popularity.zipf(count: questions.count, exponent: 1.1), total: 300)
            run.seed = 5
            let runDirectory = directory + "/run_2026-01-01T00-00-00-000"
            let log = try TrafficLog(directory: runDirectory, name: "traffic")
            let outcome = try await run.collect(onSent: { log.record($0) })
            log.finish()
            try RunFiles.write(outcome, settings: ["threshold": 0.65], to: runDirectory)

            var html = try RunReport.build(directory: directory)
            var svgs = Self.charts(html)
            #expect(svgs.count == 3)  // traffic, latency CDF, score histogram
            // The latency table has a row per path the run's askings took.
            for (path, latency) in outcome.report.latencyByPath {
                let label = path.descriptionWithTopics
                #expect(html.contains("<td>\(label)</td><td>\(latency.count)</td>"), "no row for \(label)")
            }
            #expect(outcome.report.latencyByPath.contains { $0.path == .cached })
            #expect(svgs.allSatisfy(Self.hasData))
            #expect(!html.contains("Threshold experiment"))
            #expect(!html.contains("src=") && !html.contains("href="))  // nothing outside the page

            let thresholds = [ThresholdExperiment.Point(threshold: 0.5, questions: 10, regenerationRate: 0.4, llmCallsPerQuestion: 1.9,
                                                        meanFinalScore: 0.6, meanFirstScore: 0.5, forcedRate: 0.1, firstBelow: 0.4),
                              ThresholdExperiment.Point(threshold: 0.65, questions: 10, regenerationRate: 0.7, llmCallsPerQuestion: 2.4,
                                                        meanFinalScore: 0.61, meanFirstScore: 0.5, forcedRate: 0.4, firstBelow: 0.7)]
            try ThresholdExperiment.csv(thresholds, budget: 2).write(toFile: directory + "/experiment_threshold_2026-01-01T00-00-00-000.csv",
                                                          atomically: true, encoding: .utf8)
            let caches = [CacheExperiment.Point(policy: .lru, size: 64, ttl: 0, popularity: "zipf:1.1", arrival: "constant:2000",
                                                hitRate: 0.7, llmCallsPerQuestion: 0.2, p50: 0, p90: 1, p99: 3,
                                                questionsPerSecond: 2000, offeredPerSecond: 2000, speedup: 1),
                          CacheExperiment.Point(policy: .lru, size: 256, ttl: 0, popularity: "zipf:1.1", arrival: "constant:2000",
                                                hitRate: 0.9, llmCallsPerQuestion: 0.2, p50: 0, p90: 1, p99: 4,
                                                questionsPerSecond: 2000, offeredPerSecond: 2000, speedup: 1)]
            try CacheExperiment.csv(caches).write(toFile: directory + "/experiment_cache_2026-01-01T00-00-00-000.csv",
                                                  atomically: true, encoding: .utf8)
            html = try RunReport.build(directory: directory)
            svgs = Self.charts(html)
            #expect(svgs.count == 8)
            for (index, svg) in svgs.enumerated() { #expect(Self.hasData(svg), "chart \(index) has no data") }
            #expect(html.contains("Threshold experiment") && html.contains("Cache experiment"))
            #expect(html.contains("thresholds no other beats on both"))
            // The budget the CSV was written with, and the threshold suggested within it (0.65:
            // as cheap as 0.50 and better), are drawn as lines.
            #expect(html.contains(">budget 2 calls</text>"))
            #expect(html.components(separatedBy: ">suggested 0.65</text>").count - 1 == 3)
            #expect(html.contains("Score histogram (bins of 0.05)") && html.contains(">threshold 0.65</text>"))

            let latencies = [LatencyExperiment.Point(percentile: 0, milliseconds: 0.5), LatencyExperiment.Point(percentile: 50, milliseconds: 2),
                             LatencyExperiment.Point(percentile: 99.9, milliseconds: 9), LatencyExperiment.Point(percentile: 100, milliseconds: 12)]
            try LatencyExperiment.csv(latencies).write(toFile: directory + "/experiment_latency_2026-01-01T00-00-00-000.csv",
                                                       atomically: true, encoding: .utf8)
            let scales = [ScaleExperiment.Point(partitions: 2, instances: 1, questions: 100, sustainedPerSecond: 900, overallPerSecond: 800,
                                                p50: 3, p99: 9),
                          ScaleExperiment.Point(partitions: 2, instances: 2, questions: 100, sustainedPerSecond: 1500,
                                                overallPerSecond: 1300, p50: 2, p99: 7)]
            try ScaleExperiment.csv(scales).write(toFile: directory + "/experiment_scale_2026-01-01T00-00-00-000.csv",
                                                  atomically: true, encoding: .utf8)
            html = try RunReport.build(directory: directory)
            svgs = Self.charts(html)
            #expect(svgs.count == 12)  // + latency CDF and tail, throughput and p99 against instances
            for (index, svg) in svgs.enumerated() { #expect(Self.hasData(svg), "chart \(index) has no data") }
            #expect(html.contains("Latency experiment") && html.contains("Scale experiment"))
            #expect(html.contains("Throughput vs. instances"))
            #expect(html.contains("9.0 ms"))  // p999 in the table
        }

        @Test func anEmptyChartHasNoData() {
            let empty = SVGChart(title: "empty", xLabel: "x", yLabel: "y", series: [.init(name: "a", points: [])]).render()
            #expect(!Self.hasData(empty[...]))
        }
    }
}

import Foundation
import Testing

@testable import Services

extension EmbeddedCommandTests {
    /// The threshold and cache experiments over a few hundred questions, no server.
    @Suite struct ExperimentTests {
        static func base(total: Int, arrival: ArrivalProcess) throws -> PipelineRun {
            let questions = try EmbeddedPipelineTests.sampleQuestions()
            var run = PipelineRun(settings: PipelineSettings(), questions: questions, arrival: arrival,
                                  popularity: try Popularity.zipf(count: questions.count, exponent: 1.1), total: total)
            run.seed = 11
            return run
        }

        @Test(.timeLimit(.minutes(2)))
        func higherThresholdsRegenerateMoreOverTheSameStream() async throws {
            let (points, firstScores) = try await ThresholdExperiment.run(try Self.base(total: 300, arrival: .constant(rate: 0)),
                                                                          thresholds: [0.3, 0.65])
            #expect(points.count == 2)
            #expect(!firstScores.isEmpty)
            // The same stream: the first answers do not depend on the threshold.
            #expect(abs(points[0].meanFirstScore - points[1].meanFirstScore) < 1e-9)
            #expect(points[0].regenerationRate < points[1].regenerationRate)
            #expect(points[0].llmCallsPerQuestion < points[1].llmCallsPerQuestion)
            #expect(points[1].firstBelow > 0.5)
            let parsed = ThresholdExperiment.parse(csv: ThresholdExperiment.csv(points))
            #expect(parsed.map(\.threshold) == [0.3, 0.65])
            #expect(parsed[1].llmCallsPerQuestion == points[1].llmCallsPerQuestion)
            for chart in ThresholdExperiment.charts(points) { #expect(chart.pointCount > 0) }
            let text = ThresholdExperiment.suggestion(points, firstScores: firstScores, budget: points[0].llmCallsPerQuestion)
            #expect(text.contains("suggested threshold 0.30"))
            #expect(text.contains("under 0.65"))
        }

        @Test(.timeLimit(.minutes(2)))
        func cacheCombinationsEachGetAPoint() async throws {
            let points = try await CacheExperiment.run(try Self.base(total: 400, arrival: .constant(rate: 2000)),
                                                       policies: [.lru, .fifo], sizes: [16, 512], ttls: [0])
            #expect(points.count == 4)
            #expect(points.allSatisfy { (0...1).contains($0.hitRate) })
            #expect(points.contains { $0.hitRate > 0 })
            let parsed = CacheExperiment.parse(csv: CacheExperiment.csv(points))
            #expect(parsed == points)
            let charts = CacheExperiment.charts(points)
            #expect(charts.count == 2)
            #expect(charts[0].series.count == 2)
            for chart in charts { #expect(chart.pointCount == 4) }
        }
    }
}

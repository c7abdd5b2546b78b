import Testing

@testable import Runtime

/// The threshold suggestion: never a threshold that costs more for less quality, and a dearer
/// one only when its final score is significantly higher.
@Suite struct ThresholdSuggestionTests {
    static func point(_ threshold: Double, final: Double, width: Double, calls: Double, seeds: Int = 5) -> ThresholdExperiment.Point {
        var p = ThresholdExperiment.Point(threshold: threshold, questions: 100, regenerationRate: 0, llmCallsPerQuestion: calls,
                                          meanFinalScore: final, meanFirstScore: 0.5, forcedRate: 0, firstBelow: 0)
        p.callsPerAnswered = calls
        p.finalScoreHalfWidth = width
        p.seeds = seeds
        return p
    }

    @Test func aThresholdThatCostsMoreForLessQualityIsNeverSuggested() {
        // 0.70 costs more than 0.60 and scores less (the case at --rate 2000).
        let points = [Self.point(0.5, final: 0.600, width: 0.002, calls: 1.5), Self.point(0.6, final: 0.620, width: 0.002, calls: 1.8),
                      Self.point(0.7, final: 0.593, width: 0.002, calls: 1.9)]
        #expect(ThresholdExperiment.efficient(points).map(\.threshold) == [0.5, 0.6])
        let text = ThresholdExperiment.suggestion(points, firstScores: [], budget: 2.5)
        #expect(text.contains("suggested threshold 0.60"))
        #expect(text.contains("not suggested, another threshold costs no more for at least as much quality: 0.70."))
    }

    @Test func aDearerThresholdNeedsASignificantlyHigherScore() {
        // 0.6 scores a little more than 0.5, within the intervals: the cheaper 0.5 is suggested.
        let close = [Self.point(0.5, final: 0.600, width: 0.010, calls: 1.5), Self.point(0.6, final: 0.605, width: 0.010, calls: 1.8)]
        let text = ThresholdExperiment.suggestion(close, firstScores: [], budget: 2.5)
        #expect(text.contains("suggested threshold 0.50"))
        #expect(text.contains("not significant"))
        // Separated intervals: the dearer threshold is worth its calls.
        let apart = [Self.point(0.5, final: 0.600, width: 0.002, calls: 1.5), Self.point(0.6, final: 0.620, width: 0.002, calls: 1.8)]
        #expect(ThresholdExperiment.suggestion(apart, firstScores: [], budget: 2.5).contains("suggested threshold 0.60"))
        // Over the budget it is not suggested, however good.
        #expect(ThresholdExperiment.suggestion(apart, firstScores: [], budget: 1.6).contains("suggested threshold 0.50"))
    }

    @Test(.timeLimit(.minutes(5)))
    func theCostIsCountedPerLLMDecidedAsking() async throws {
        // All askings at once: every repeat misses the cache and runs its own chain, which costs
        // between 1 call and MAX_RETRIES (3) calls.
        let base = try EmbeddedCommandTests.ExperimentTests.base(total: 300, arrival: .constant(rate: 0))
        let (points, _) = try await ThresholdExperiment.run(base, thresholds: [0.65], seeds: [1, 2], simulated: true, parallel: 2)
        let point = try #require(points.first)
        #expect(point.seeds == 2 && point.simulated)
        #expect(point.callsPerAnswered >= 1 && point.callsPerAnswered <= 3, "\(point.callsPerAnswered)")
    }

    @Test func theIntervalIsStudentsT() {
        // Five values with standard deviation 1: half-width 2.776 / sqrt(5).
        let spread = Spread([1, 2, 3, 4, 5].map { Double($0) / 1.5811388300841898 })
        #expect(abs(spread.halfWidth - 2.776 / 5.0.squareRoot()) < 1e-9)
        #expect(Spread([0.5]).halfWidth == 0)
        #expect(!Spread([1.0]).isSeparated(above: Spread([0.0])))
        #expect(Spread([1.0, 1.01, 0.99]).isSeparated(above: Spread([0.0, 0.01, -0.01])))
    }
}

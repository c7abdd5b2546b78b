import Foundation
import Observability

/// The score threshold against what it costs: one embedded run per threshold over the same
/// question stream (same questions, seed and arrivals), so only the threshold differs.
public enum ThresholdExperiment {
    public struct Point: Sendable, Equatable {
        public var threshold: Double
        public var questions: Int            // distinct questions decided
        public var regenerationRate: Double  // share of distinct questions regenerated at least once
        public var llmCallsPerQuestion: Double
        public var meanFinalScore: Double
        public var meanFirstScore: Double
        public var forcedRate: Double
        public var firstBelow: Double        // share of first answers under this threshold
        public var improvement: Double { meanFinalScore - meanFirstScore }
    }

    /// Runs `base` once per threshold.
    public static func run(_ base: PipelineRun, thresholds: [Double],
                           onPoint: @Sendable (Point) -> Void = { _ in }) async throws -> (points: [Point], firstScores: [Double]) {
        var points: [Point] = []
        var firstScores: [Double] = []
        for threshold in thresholds {
            var run = base
            run.settings.scoreThreshold = threshold
            let outcome = try await run.collect()
            let answered = outcome.results.filter { $0.decision.source == .score }
            let firsts = answered.map(\.decision.firstScore)
            if firstScores.isEmpty { firstScores = firsts }
            let m = outcome.report.metrics
            // Shares of every distinct question, so a question whose stored decision came from
            // storage rather than the LLM still counts in the denominator.
            let share = { (count: Int) in m.questions == 0 ? 0 : Double(count) / Double(m.questions) }
            let point = Point(
                threshold: threshold, questions: m.questions,
                regenerationRate: share(answered.filter { $0.decision.attempts > 1 }.count),
                llmCallsPerQuestion: outcome.report.llmCallsPerQuestion, meanFinalScore: m.scoreMean,
                meanFirstScore: m.firstScoreMean, forcedRate: share(m.forced),
                firstBelow: firsts.isEmpty ? 0 : Double(firsts.filter { $0 < threshold }.count) / Double(firsts.count))
            onPoint(point)
            points.append(point)
        }
        return (points, firstScores)
    }

    public static let csvHeader = "threshold,questions,regeneration_rate,llm_calls_per_question,mean_final_score,mean_first_score,improvement,forced_rate,first_below_threshold"

    public static func csv(_ points: [Point]) -> String {
        var out = csvHeader + "\n"
        for p in points {
            out += [p.threshold, Double(p.questions), p.regenerationRate, p.llmCallsPerQuestion, p.meanFinalScore, p.meanFirstScore,
                    p.improvement, p.forcedRate, p.firstBelow].map { String($0) }.joined(separator: ",") + "\n"
        }
        return out
    }

    /// Points back from a CSV file written by `csv` (for the report).
    public static func parse(csv text: String) -> [Point] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let v = line.split(separator: ",").compactMap { Double($0) }
            guard v.count >= 9 else { return nil }
            return Point(threshold: v[0], questions: Int(v[1]), regenerationRate: v[2], llmCallsPerQuestion: v[3],
                         meanFinalScore: v[4], meanFirstScore: v[5], forcedRate: v[7], firstBelow: v[8])
        }
    }

    /// Scores and rates per threshold, and LLM calls per question per threshold.
    public static func charts(_ points: [Point]) -> [SVGChart] {
        func series(_ name: String, _ value: (Point) -> Double) -> SVGChart.Series {
            .init(name: name, points: points.map { (x: $0.threshold, y: value($0)) })
        }
        let scores = SVGChart(title: "Score threshold: scores and regeneration", xLabel: "score threshold", yLabel: "mean score / share",
                              series: [series("mean final score", \.meanFinalScore), series("mean first score", \.meanFirstScore),
                                       series("regeneration rate", \.regenerationRate), series("forced rate", \.forcedRate)])
        let calls = SVGChart(title: "Score threshold: LLM calls per question", xLabel: "score threshold",
                             yLabel: "LLM calls per question", series: [series("LLM calls per question", \.llmCallsPerQuestion)])
        return [scores, calls]
    }

    /// The highest threshold whose LLM calls per question stay within `budget`, with the reasons.
    public static func suggestion(_ points: [Point], firstScores: [Double], budget: Double) -> String {
        var lines: [String] = []
        let sorted = points.sorted { $0.threshold < $1.threshold }
        if !firstScores.isEmpty {
            let under = Double(firstScores.filter { $0 < 0.65 }.count) / Double(firstScores.count)
            let median = firstScores.sorted()[firstScores.count / 2]
            lines.append(String(format: "%.0f%% of first answers score under 0.65 (median first score %.3f), so the original 0.65 "
                + "sends most questions back to the LLM and many end as forced accepts at the retry cap.", under * 100, median))
        }
        if let best = sorted.last(where: { $0.llmCallsPerQuestion <= budget }) {
            lines.append(String(format: "suggested threshold %.2f: the highest whose LLM calls per question (%.2f) stay within the "
                + "budget of %.2f; it regenerates %.0f%% of answers and lifts the mean score from %.3f to %.3f (+%.3f).",
                best.threshold, best.llmCallsPerQuestion, budget, best.regenerationRate * 100, best.meanFirstScore,
                best.meanFinalScore, best.improvement))
            if let next = sorted.first(where: { $0.threshold > best.threshold }) {
                lines.append(String(format: "the next value, %.2f, costs %.2f calls per question for a mean score of %.3f.",
                                    next.threshold, next.llmCallsPerQuestion, next.meanFinalScore))
            }
        } else if let cheapest = sorted.first {
            lines.append(String(format: "no threshold stays within %.2f LLM calls per question; the lowest tried, %.2f, costs %.2f.",
                                budget, cheapest.threshold, cheapest.llmCallsPerQuestion))
        }
        return lines.joined(separator: "\n")
    }
}

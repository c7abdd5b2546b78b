import Foundation
import Observability
import Storage

/// The score threshold: final quality (mean final score, share accepted) against what
/// regenerating costs (LLM calls per asking the LLM decided), one run per threshold and seed
/// over the same question streams, so only the threshold differs.
///
/// The cost counts the LLM calls of the questions the LLM decided, not of every asking: how many
/// askings a cache or the store answers depends on the pace, not on the threshold.
public enum ThresholdExperiment {
    public struct Point: Sendable, Equatable {
        public var threshold: Double
        public var questions: Int            // distinct questions decided
        public var regenerationRate: Double  // share of distinct questions regenerated at least once
        /// LLM calls per asking (cache hits included): pace-dependent, kept for comparison.
        public var llmCallsPerQuestion: Double
        public var meanFinalScore: Double
        public var meanFirstScore: Double
        public var forcedRate: Double
        public var firstBelow: Double        // share of first answers under this threshold
        public var improvement: Double { meanFinalScore - meanFirstScore }
        /// LLM calls per asking decided by the LLM: the cost of regenerating.
        public var callsPerAnswered = 0.0
        /// Share of distinct questions accepted at or above the threshold (not forced, not failed).
        public var acceptedShare = 0.0
        /// Runs averaged into this point, one per seed, and the half-widths of the 95 % intervals.
        public var seeds = 1
        public var finalScoreHalfWidth = 0.0
        public var callsHalfWidth = 0.0
        public var acceptedHalfWidth = 0.0
        /// Run on the virtual clock (`SimulatedPipeline`), reproducible by seed.
        public var simulated = false

        public var finalScore: Spread { Spread(mean: meanFinalScore, halfWidth: finalScoreHalfWidth, count: seeds) }
    }

    /// Runs `base` once per threshold and seed (simulated on the virtual clock unless `simulated`
    /// is false), `parallel` runs at a time; returns one point per threshold (means over the seeds)
    /// and the first scores of the first run.
    public static func run(_ base: PipelineRun, thresholds: [Double], seeds: [UInt64]? = nil, simulated: Bool = false,
                           hopMicroseconds: Int64 = 1000, parallel: Int = 1,
                           onPoint: @Sendable (Point) -> Void = { _ in }) async throws -> (points: [Point], firstScores: [Double]) {
        let seeds = seeds ?? [base.seed]
        var runs = [[Point?]](repeating: [Point?](repeating: nil, count: seeds.count), count: thresholds.count)
        var points = [Point?](repeating: nil, count: thresholds.count)
        var firstScores: [Double] = []
        try await withThrowingTaskGroup(of: (Int, Int, Point, [Double]).self) { group in
            var next = 0
            let total = thresholds.count * seeds.count
            func start() {
                let index = next / seeds.count
                let seedIndex = next % seeds.count
                var run = base
                run.seed = seeds[seedIndex]
                // Each seed also draws its own answers from the offline model.
                run.settings.llm.seed = base.settings.llm.seed &+ UInt64(seedIndex)
                run.settings.scoreThreshold = thresholds[index]
                group.addTask {
                    let (point, firsts) = try await measure(run, simulated: simulated, hopMicroseconds: hopMicroseconds)
                    return (index, seedIndex, point, firsts)
                }
                next += 1
            }
            while next < min(max(parallel, 1), total) { start() }
            while let (index, seedIndex, point, firsts) = try await group.next() {
                runs[index][seedIndex] = point
                if index == 0 && seedIndex == 0 { firstScores = firsts }
                if runs[index].allSatisfy({ $0 != nil }) {
                    let point = aggregate(runs[index].compactMap { $0 })
                    points[index] = point
                    onPoint(point)
                }
                if next < total { start() }
            }
        }
        return (points.compactMap { $0 }, firstScores)
    }

    static func measure(_ run: PipelineRun, simulated: Bool, hopMicroseconds: Int64) async throws -> (Point, [Double]) {
        let report: PipelineRun.Report
        var results: [StoredResult]
        if simulated {
            let store = InMemoryResultStore()
            report = try await SimulatedPipeline(run, hopMicroseconds: hopMicroseconds).execute(store: store)
            results = await store.allResults()
            results.sort { $0.decision.questionID < $1.decision.questionID }
        } else {
            let outcome = try await run.collect()
            report = outcome.report
            results = outcome.results
        }
        // Stopped (SIGINT, SIGTERM): this run's figures are partial and go into no point.
        if !report.completed && Task.isCancelled { throw CancellationError() }
        let answered = results.filter { $0.decision.source == .score }
        let firsts = answered.map(\.decision.firstScore)
        let m = report.metrics
        // Shares of every distinct question, so a question whose stored decision came from
        // storage rather than the LLM still counts in the denominator.
        let share = { (count: Int) in m.questions == 0 ? 0 : Double(count) / Double(m.questions) }
        var point = Point(
            threshold: run.settings.scoreThreshold, questions: m.questions,
            regenerationRate: share(answered.filter { $0.decision.attempts > 1 }.count),
            llmCallsPerQuestion: report.llmCallsPerQuestion, meanFinalScore: m.scoreMean,
            meanFirstScore: m.firstScoreMean, forcedRate: share(m.forced),
            firstBelow: firsts.isEmpty ? 0 : Double(firsts.filter { $0 < run.settings.scoreThreshold }.count) / Double(firsts.count))
        // Per asking the LLM decided: a repeat that missed the cache runs its own chain of calls.
        let llmDecided = m.bySource[.score, default: 0] + m.bySource[.failed, default: 0]
        point.callsPerAnswered = llmDecided == 0 ? 0 : Double(m.llmCalls) / Double(llmDecided)
        point.acceptedShare = share(m.accepted)
        point.simulated = simulated
        return (point, firsts)
    }

    /// One point of several runs of the same threshold: means, and the intervals of the final
    /// score, the cost and the share accepted.
    static func aggregate(_ runs: [Point]) -> Point {
        var point = runs[0]
        func mean(_ value: (Point) -> Double) -> Double { Spread(runs.map(value)).mean }
        let final = Spread(runs.map(\.meanFinalScore))
        let calls = Spread(runs.map(\.callsPerAnswered))
        let accepted = Spread(runs.map(\.acceptedShare))
        point.questions = Int(mean { Double($0.questions) }.rounded())
        point.regenerationRate = mean(\.regenerationRate)
        point.llmCallsPerQuestion = mean(\.llmCallsPerQuestion)
        point.meanFirstScore = mean(\.meanFirstScore)
        point.forcedRate = mean(\.forcedRate)
        point.firstBelow = mean(\.firstBelow)
        point.meanFinalScore = final.mean
        point.finalScoreHalfWidth = final.halfWidth
        point.callsPerAnswered = calls.mean
        point.callsHalfWidth = calls.halfWidth
        point.acceptedShare = accepted.mean
        point.acceptedHalfWidth = accepted.halfWidth
        point.seeds = runs.count
        return point
    }

    public static let csvHeader = "threshold,questions,regeneration_rate,llm_calls_per_question,mean_final_score,mean_first_score,improvement,"
        + "forced_rate,first_below_threshold,llm_calls_per_llm_decided,accepted_share,seeds,mean_final_score_ci95,"
        + "llm_calls_per_llm_decided_ci95,accepted_share_ci95,budget,mode"

    /// One line per point, each with the `budget` of calls the suggestion was made within (so the
    /// report can draw the budget and the suggested threshold).
    public static func csv(_ points: [Point], budget: Double) -> String {
        var out = csvHeader + "\n"
        for p in points {
            out += [p.threshold, Double(p.questions), p.regenerationRate, p.llmCallsPerQuestion, p.meanFinalScore, p.meanFirstScore,
                    p.improvement, p.forcedRate, p.firstBelow, p.callsPerAnswered, p.acceptedShare].map { String($0) }.joined(separator: ",")
                + ",\(p.seeds)," + [p.finalScoreHalfWidth, p.callsHalfWidth, p.acceptedHalfWidth, budget].map { String($0) }.joined(separator: ",")
                + (p.simulated ? ",simulated" : ",real-time") + "\n"
        }
        return out
    }

    /// The budget a CSV written by `csv` was suggested within; nil for files of earlier versions.
    public static func budget(csv text: String) -> Double? {
        guard let line = text.split(separator: "\n").dropFirst().first else { return nil }
        let v = line.split(separator: ",").compactMap { Double($0) }
        return v.count >= 16 && v[15] > 0 ? v[15] : nil
    }

    /// Points back from a CSV file written by `csv` (for the report); also reads the 9 columns of
    /// earlier versions.
    public static func parse(csv text: String) -> [Point] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: ",")
            let v = fields.compactMap { Double($0) }
            guard v.count >= 9 else { return nil }
            var point = Point(threshold: v[0], questions: Int(v[1]), regenerationRate: v[2], llmCallsPerQuestion: v[3],
                              meanFinalScore: v[4], meanFirstScore: v[5], forcedRate: v[7], firstBelow: v[8])
            if v.count >= 15 {
                point.callsPerAnswered = v[9]
                point.acceptedShare = v[10]
                point.seeds = Int(v[11])
                point.finalScoreHalfWidth = v[12]
                point.callsHalfWidth = v[13]
                point.acceptedHalfWidth = v[14]
                point.simulated = fields.last == "simulated"
            }
            return point
        }
    }

    /// Quality per threshold (mean final and first score; share accepted and forced on its own
    /// axis), and the cost per threshold. With the `budget`, the cost chart draws it as a
    /// horizontal line and every chart the suggested threshold as a vertical one.
    public static func charts(_ points: [Point], budget: Double? = nil) -> [SVGChart] {
        func series(_ name: String, _ value: (Point) -> Double) -> SVGChart.Series {
            .init(name: name, points: points.map { (x: $0.threshold, y: value($0)) })
        }
        var scores = SVGChart(title: "Score threshold: mean scores", xLabel: "score threshold", yLabel: "mean TF-IDF score",
                              series: [series("mean final score", \.meanFinalScore), series("mean first score", \.meanFirstScore)])
        var shares = SVGChart(title: "Score threshold: shares of questions", xLabel: "score threshold", yLabel: "share of questions",
                              series: [series("accepted", \.acceptedShare), series("regenerated", \.regenerationRate),
                                       series("forced", \.forcedRate)])
        var calls = SVGChart(title: "Score threshold: regeneration cost", xLabel: "score threshold",
                             yLabel: "LLM calls per LLM-decided asking", series: [series("LLM calls per LLM-decided asking", \.callsPerAnswered)])
        if let budget {
            calls.rules.append(.horizontal(at: budget, String(format: "budget %g calls", budget)))
            if let choice = suggested(points, budget: budget)?.choice {
                let rule = SVGChart.Rule.vertical(at: choice.threshold, String(format: "suggested %.2f", choice.threshold))
                scores.rules.append(rule)
                shares.rules.append(rule)
                calls.rules.append(rule)
            }
        }
        return [scores, shares, calls]
    }

    /// The threshold suggested within `budget` (see `suggestion`), and the dearer one passed over
    /// because its gain is not significant; nil when no threshold stays within the budget.
    public static func suggested(_ points: [Point], budget: Double) -> (choice: Point, passedOver: Point?)? {
        let affordable = efficient(points).filter { $0.callsPerAnswered <= budget }
        guard var choice = affordable.max(by: { $0.meanFinalScore < $1.meanFinalScore }) else { return nil }
        var passedOver: Point?
        while let cheaper = affordable.last(where: { $0.callsPerAnswered < choice.callsPerAnswered }),
              !choice.finalScore.isSeparated(above: cheaper.finalScore) {
            passedOver = choice
            choice = cheaper
        }
        return (choice, passedOver)
    }

    /// The thresholds no other beats: none costs no more and scores no less (one strictly).
    public static func efficient(_ points: [Point]) -> [Point] {
        points.filter { p in
            !points.contains { q in
                q.callsPerAnswered <= p.callsPerAnswered && q.meanFinalScore >= p.meanFinalScore
                    && (q.callsPerAnswered < p.callsPerAnswered || q.meanFinalScore > p.meanFinalScore)
            }
        }.sorted { $0.callsPerAnswered < $1.callsPerAnswered }
    }

    /// The threshold to use within `budget` LLM calls per LLM-decided asking, with the reasons.
    ///
    /// Only efficient thresholds are candidates, so the suggestion never costs more for less
    /// quality than another threshold tried. Of those within the budget it takes the best mean
    /// final score, then steps down to the next cheaper one as long as the dearer one's interval
    /// does not lie above the cheaper one's: paying more calls for a gain that is not significant
    /// is not suggested.
    public static func suggestion(_ points: [Point], firstScores: [Double], budget: Double) -> String {
        var lines: [String] = []
        if !firstScores.isEmpty {
            let under = Double(firstScores.filter { $0 < 0.65 }.count) / Double(firstScores.count)
            let median = firstScores.sorted()[firstScores.count / 2]
            lines.append(String(format: "%.0f%% of first answers score under 0.65 (median first score %.3f), so the original 0.65 "
                + "sends most questions back to the LLM and many end as forced accepts at the retry cap.", under * 100, median))
        }
        func describe(_ p: Point) -> String {
            p.seeds > 1
                ? String(format: "%.2f (mean final score %.3f ± %.3f, %.1f %% ± %.1f accepted, %.2f ± %.2f LLM calls per LLM-decided asking)",
                         p.threshold, p.meanFinalScore, p.finalScoreHalfWidth, p.acceptedShare * 100, p.acceptedHalfWidth * 100,
                         p.callsPerAnswered, p.callsHalfWidth)
                : String(format: "%.2f (mean final score %.3f, %.1f %% accepted, %.2f LLM calls per LLM-decided asking)",
                         p.threshold, p.meanFinalScore, p.acceptedShare * 100, p.callsPerAnswered)
        }
        let frontier = efficient(points)
        let dominated = points.filter { p in !frontier.contains { $0.threshold == p.threshold } }.sorted { $0.threshold < $1.threshold }
        guard let (choice, notSignificant) = suggested(points, budget: budget) else {
            if let cheapest = frontier.first {
                lines.append(String(format: "no threshold stays within %.2f LLM calls per LLM-decided asking; the cheapest, %@.",
                                    budget, describe(cheapest) as NSString))
            }
            return lines.joined(separator: "\n")
        }
        lines.append("suggested threshold \(describe(choice)): the best final score within the budget of "
            + String(format: "%.2f", budget) + " calls, and no threshold tried costs less for as much quality.")
        if let dearer = notSignificant, dearer.seeds < 2 {
            lines.append(String(format: "%.2f scores %.3f for %.2f calls, but with one run per threshold there is no interval to "
                + "tell that from noise (use --seeds 5), so the cheaper threshold is suggested.", dearer.threshold,
                dearer.meanFinalScore, dearer.callsPerAnswered))
        } else if let dearer = notSignificant {
            lines.append(String(format: "%.2f scores %.3f but costs %.2f calls: the difference in final score is not significant "
                + "(95 %% intervals overlap), so the extra calls are not suggested.", dearer.threshold, dearer.meanFinalScore,
                dearer.callsPerAnswered))
        }
        if !dominated.isEmpty {
            lines.append("not suggested, another threshold costs no more for at least as much quality: "
                + dominated.map { String(format: "%.2f", $0.threshold) }.joined(separator: ", ") + ".")
        }
        return lines.joined(separator: "\n")
    }
}

import Foundation
import Observability
import Storage
import VeredictoCore

/// What a regeneration buys: per attempt number, the mean score gained over the previous attempt
/// and its cost in LLM calls, from the answers the score service scored in simulated runs over a
/// few thresholds and MAX_RETRIES values.
///
/// Attempt k (k ≥ 2) is made only for a chain whose attempt k - 1 scored under the threshold, so
/// its gain is measured on those chains: the score of attempt k minus that of attempt k - 1. Its
/// cost is one LLM call for each chain that reaches it (more when the model's errors are injected:
/// the calls the attempt takes are counted from the run's LLM call total). `reached` is the share
/// of chains that make attempt k, so `reached × gain` is what attempt k adds to the mean final score
/// per chain, for `reached` calls per chain.
public enum RegenerationExperiment {
    public struct Point: Sendable, Equatable {
        public var threshold: Double
        public var maxRetries: Int
        public var attempt: Int
        /// Share of the LLM chains that made this attempt.
        public var reached: Spread
        /// Mean score of this attempt minus the previous one's, over the chains that made it.
        public var gain: Spread
        /// Mean score this attempt adds per chain: reached × gain.
        public var gainPerChain: Spread
        /// LLM calls this attempt takes per chain (1 per chain that reaches it, without errors).
        public var callsPerChain: Spread

        public var setting: String { "threshold \(String(format: "%.2f", threshold)), MAX_RETRIES \(maxRetries)" }
    }

    /// One run's figures per attempt.
    struct Measure {
        var reached: [Double]
        var gain: [Double]
        var calls: [Double]
    }

    /// Runs `base` once per threshold, MAX_RETRIES value and seed, `parallel` runs at a time;
    /// returns, per setting in grid order, one point per attempt from 2 to MAX_RETRIES.
    public static func run(_ base: PipelineRun, thresholds: [Double], maxRetries: [Int], seeds: [UInt64],
                           hopMicroseconds: Int64 = 1000, parallel: Int = 1,
                           onSetting: @Sendable ([Point]) -> Void = { _ in }) async throws -> [Point] {
        var grid: [(Double, Int)] = []
        for threshold in thresholds { for cap in maxRetries { grid.append((threshold, cap)) } }
        var runs = [[Measure?]](repeating: [Measure?](repeating: nil, count: seeds.count), count: grid.count)
        var settings = [[Point]?](repeating: nil, count: grid.count)
        try await withThrowingTaskGroup(of: (Int, Int, Measure).self) { group in
            var next = 0
            let total = grid.count * seeds.count
            func start() {
                let index = next / seeds.count
                let seedIndex = next % seeds.count
                var run = base
                run.seed = seeds[seedIndex]
                run.settings.llm.seed = base.settings.llm.seed &+ UInt64(seedIndex)
                run.settings.scoreThreshold = grid[index].0
                run.settings.maxRetries = grid[index].1
                group.addTask { (index, seedIndex, try await measure(run, hopMicroseconds: hopMicroseconds)) }
                next += 1
            }
            while next < min(max(parallel, 1), total) { start() }
            while let (index, seedIndex, measure) = try await group.next() {
                runs[index][seedIndex] = measure
                if runs[index].allSatisfy({ $0 != nil }) {
                    let measures = runs[index].compactMap { $0 }
                    let (threshold, cap) = grid[index]
                    let points = (2...max(2, cap)).filter { $0 <= cap }.map { attempt in
                        let i = attempt - 1
                        return Point(threshold: threshold, maxRetries: cap, attempt: attempt,
                                     reached: Spread(measures.map { $0.reached[i] }), gain: Spread(measures.map { $0.gain[i] }),
                                     gainPerChain: Spread(measures.map { $0.reached[i] * $0.gain[i] }),
                                     callsPerChain: Spread(measures.map { $0.calls[i] }))
                    }
                    settings[index] = points
                    onSetting(points)
                }
                if next < total { start() }
            }
        }
        return settings.compactMap { $0 }.flatMap { $0 }
    }

    /// Scores per chain and attempt from one simulated run, reduced to per-attempt figures
    /// (index k - 1 for attempt k; index 0 is the first answer, which gains nothing).
    static func measure(_ run: PipelineRun, hopMicroseconds: Int64) async throws -> Measure {
        var scores: [String: [Int: Double]] = [:]
        let report = try await SimulatedPipeline(run, hopMicroseconds: hopMicroseconds).execute(scored: { attempt in
            scores[attempt.traceID, default: [:]][attempt.attempt] = attempt.score
        })
        if !report.completed && Task.isCancelled { throw CancellationError() }
        return reduce(scores, maxRetries: run.settings.maxRetries, llmCalls: report.metrics.llmCalls)
    }

    /// Per-attempt figures from each chain's scores by attempt. The LLM calls beyond one per
    /// attempt (errors retried) are shared out over the attempts in proportion to the attempts made.
    static func reduce(_ scores: [String: [Int: Double]], maxRetries: Int, llmCalls: Int) -> Measure {
        let cap = max(1, maxRetries)
        var reachedCount = [Int](repeating: 0, count: cap)
        var gainSum = [Double](repeating: 0, count: cap)
        var gainCount = [Int](repeating: 0, count: cap)
        // In the order of the traces and attempts: a sum over a dictionary's order would differ
        // in its last bits from one dictionary to the next.
        for trace in scores.keys.sorted() {
            let chain = scores[trace]!
            for attempt in chain.keys.sorted() where attempt >= 1 && attempt <= cap {
                let score = chain[attempt]!
                reachedCount[attempt - 1] += 1
                if attempt >= 2, let previous = chain[attempt - 1] {
                    gainSum[attempt - 1] += score - previous
                    gainCount[attempt - 1] += 1
                }
            }
        }
        let chains = max(1, scores.count)
        let attemptsMade = max(1, reachedCount.reduce(0, +))
        let callsPerAttempt = Double(max(llmCalls, attemptsMade)) / Double(attemptsMade)
        return Measure(reached: reachedCount.map { Double($0) / Double(chains) },
                       gain: gainSum.indices.map { gainCount[$0] == 0 ? 0 : gainSum[$0] / Double(gainCount[$0]) },
                       calls: reachedCount.map { Double($0) / Double(chains) * callsPerAttempt })
    }

    public static let csvHeader = "threshold,max_retries,attempt,seeds,reached_share,reached_share_ci95,score_gain,score_gain_ci95,"
        + "gain_per_chain,gain_per_chain_ci95,llm_calls_per_chain,llm_calls_per_chain_ci95"

    /// One line per point; the same points give the same bytes.
    public static func csv(_ points: [Point]) -> String {
        var out = csvHeader + "\n"
        for p in points {
            out += "\(p.threshold),\(p.maxRetries),\(p.attempt),\(p.gain.count),"
                + [p.reached, p.gain, p.gainPerChain, p.callsPerChain].map { "\($0.mean),\($0.halfWidth)" }.joined(separator: ",") + "\n"
        }
        return out
    }

    /// Points back from a CSV file written by `csv` (for the report).
    public static func parse(csv text: String) -> [Point] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let v = line.split(separator: ",").compactMap { Double($0) }
            guard v.count == 12 else { return nil }
            let seeds = Int(v[3])
            func spread(_ i: Int) -> Spread { Spread(mean: v[i], halfWidth: v[i + 1], count: seeds) }
            return Point(threshold: v[0], maxRetries: Int(v[1]), attempt: Int(v[2]), reached: spread(4), gain: spread(6),
                         gainPerChain: spread(8), callsPerChain: spread(10))
        }
    }

    /// Per setting, one sentence per attempt: a gain is stated only when its 95 % interval lies
    /// wholly above (or below) zero; otherwise it is not significant. The last sentence names the
    /// last attempt of an unbroken run of significant gains from attempt 2.
    public static func conclusions(_ points: [Point]) -> [String] {
        var settings: [String] = []
        var grouped: [String: [Point]] = [:]
        for point in points {
            if grouped[point.setting] == nil { settings.append(point.setting) }
            grouped[point.setting, default: []].append(point)
        }
        let zero = { (count: Int) in Spread(mean: 0, halfWidth: 0, count: count) }
        var lines: [String] = []
        for setting in settings {
            var parts: [String] = []
            var lastUseful = 1
            var broken = false
            for p in grouped[setting]!.sorted(by: { $0.attempt < $1.attempt }) {
                let figures = String(format: "%+.3f ± %.3f over attempt %d for %.2f calls per chain, %.1f %% of chains",
                                     p.gain.mean, p.gain.halfWidth, p.attempt - 1, p.callsPerChain.mean, p.reached.mean * 100)
                if p.gain.count < 2 {
                    parts.append("attempt \(p.attempt) \(figures): one run, no interval (use --seeds 5)")
                    broken = true
                } else if p.gain.isSeparated(above: zero(p.gain.count)) {
                    parts.append("attempt \(p.attempt) gains \(figures)")
                    if !broken { lastUseful = p.attempt }
                } else if zero(p.gain.count).isSeparated(above: p.gain) {
                    parts.append("attempt \(p.attempt) loses \(figures)")
                    broken = true
                } else {
                    parts.append("attempt \(p.attempt) \(figures): not significant (95 % interval includes 0)")
                    broken = true
                }
            }
            let verdict = lastUseful >= 2
                ? "each attempt up to \(lastUseful) raises the score significantly"
                : "no regeneration raises the score significantly"
            lines.append("\(setting): " + parts.joined(separator: "; ") + "; so \(verdict).")
        }
        return lines
    }

    /// Score gained per attempt (one line per setting), and the calls per chain it takes.
    public static func charts(_ points: [Point]) -> [SVGChart] {
        var settings: [String] = []
        for point in points where !settings.contains(point.setting) { settings.append(point.setting) }
        func series(_ value: (Point) -> Double) -> [SVGChart.Series] {
            settings.map { setting in
                .init(name: setting, points: points.filter { $0.setting == setting }.map { (x: Double($0.attempt), y: value($0)) })
            }
        }
        var gain = SVGChart(title: "Regeneration: score gained over the previous attempt", xLabel: "attempt",
                            yLabel: "mean score gain", series: series { $0.gain.mean })
        gain.yMinimum = nil
        var perChain = SVGChart(title: "Regeneration: mean final score added per chain", xLabel: "attempt",
                                yLabel: "score added per chain", series: series { $0.gainPerChain.mean })
        perChain.yMinimum = nil
        var calls = SVGChart(title: "Regeneration: cost", xLabel: "attempt", yLabel: "LLM calls per chain",
                             series: series { $0.callsPerChain.mean })
        gain.integerX = true
        perChain.integerX = true
        calls.integerX = true
        return [gain, perChain, calls]
    }

    public static let explanation = """
        Each threshold and MAX_RETRIES value runs once per seed on a virtual clock, and every answer the score \
        service scores is recorded by chain and attempt. Attempt k is made only for chains whose attempt k-1 \
        scored under the threshold; its gain is its score minus attempt k-1's on those chains, its reach the share \
        of chains that make it, and its cost the LLM calls it takes per chain. A gain is stated only when its 95 % \
        interval (Student t over the seeds) excludes zero.
        """
}

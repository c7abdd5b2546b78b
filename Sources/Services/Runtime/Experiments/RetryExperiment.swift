import Foundation
import LLM
import Observability
import Storage
import VeredictoCore

/// Retry strategies against LLM errors: the offline model's injected overload and quota error
/// rates × the strategy's parameters (retries in place with their backoff, and the re-issues of
/// `llm_errors`, `LLM_ERROR_RETRIES`) → share of questions answered and failed, LLM calls per
/// asking (every call of the model, failed ones and retries included), and the latency the
/// errors add.
///
/// Every run is simulated on the virtual clock (`SimulatedPipeline`), so backoff waits, quota
/// waits and re-issue delays are virtual time and a run is a function of its settings and seed.
/// The added latency of a run is the mean end-to-end latency of its askings that went to the LLM
/// (answered at some attempt, failed, or waiting on a chain in flight) minus the same mean in a
/// run of the same seed without injected errors.
public enum RetryExperiment {
    /// A retry strategy: retries in place (`LLM_RETRIES`) with their first backoff ceiling
    /// (`LLM_BACKOFF_BASE_MS`), and re-issues from `llm_errors` (`LLM_ERROR_RETRIES`).
    public struct Strategy: Sendable, Equatable, CustomStringConvertible {
        public var retries: Int
        public var backoffMilliseconds: Double
        public var reissues: Int

        public init(retries: Int, backoffMilliseconds: Double, reissues: Int) {
            self.retries = retries
            self.backoffMilliseconds = backoffMilliseconds
            self.reissues = reissues
        }

        public var description: String {
            "retries \(retries), backoff \(Self.number(backoffMilliseconds)) ms, re-issues \(reissues)"
        }

        static func number(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }
    }

    public struct Point: Sendable, Equatable {
        public var overloadRate: Double
        public var quotaRate: Double
        public var strategy: Strategy
        /// Means over the seeds with their 95 % intervals.
        public var answered: Spread
        public var failed: Spread
        /// Every call of the model (failed ones and retries included) per asking.
        public var callsPerAsking: Spread
        public var addedLatencyMilliseconds: Spread
        /// Distinct questions per run (mean over the seeds).
        public var questions: Int

        public var scenario: String {
            "overload \(Strategy.number(overloadRate * 100)) %, quota \(Strategy.number(quotaRate * 100)) %"
        }
    }

    /// One run's figures.
    struct Measure {
        var answered: Double
        var failed: Double
        var calls: Double
        var latency: Double
        var questions: Int
    }

    /// Runs `base` once per error-rate pair, strategy and seed, plus one run per seed without
    /// errors (the latency baseline), `parallel` runs at a time; returns one point per error-rate
    /// pair and strategy in grid order (overload, quota, strategy).
    public static func run(_ base: PipelineRun, overloadRates: [Double], quotaRates: [Double], strategies: [Strategy],
                           seeds: [UInt64], hopMicroseconds: Int64 = 1000, parallel: Int = 1,
                           onPoint: @Sendable (Point) -> Void = { _ in }) async throws -> [Point] {
        var grid: [(Double, Double, Strategy)] = []
        for overload in overloadRates {
            for quota in quotaRates where overload + quota <= 1 {
                for strategy in strategies { grid.append((overload, quota, strategy)) }
            }
        }
        func configured(_ overload: Double, _ quota: Double, _ strategy: Strategy, seedIndex: Int) -> PipelineRun {
            var run = base
            run.seed = seeds[seedIndex]
            run.settings.llm.seed = base.settings.llm.seed &+ UInt64(seedIndex)
            run.settings.llm.overloadRate = overload
            run.settings.llm.quotaRate = quota
            run.settings.llm.retry.maxRetries = strategy.retries
            run.settings.llm.retry.backoffBase = .microseconds(Int64((strategy.backoffMilliseconds * 1000).rounded()))
            run.settings.llmErrorRetries = strategy.reissues
            return run
        }
        // The baselines first (index -1 - seed), then the grid.
        let jobs: [(Int, Int)] = seeds.indices.map { (-1, $0) } + grid.indices.flatMap { index in seeds.indices.map { (index, $0) } }
        var baseline = [Double](repeating: 0, count: seeds.count)
        var runs = [[Measure?]](repeating: [Measure?](repeating: nil, count: seeds.count), count: grid.count)
        var points = [Point?](repeating: nil, count: grid.count)
        var baselinesLeft = seeds.count
        var pending: [Int] = []
        func finish(_ index: Int) -> Point {
            let measures = runs[index].compactMap { $0 }
            let (overload, quota, strategy) = grid[index]
            return Point(overloadRate: overload, quotaRate: quota, strategy: strategy, answered: Spread(measures.map(\.answered)),
                         failed: Spread(measures.map(\.failed)), callsPerAsking: Spread(measures.map(\.calls)),
                         addedLatencyMilliseconds: Spread(zip(measures, baseline).map { $0.latency - $1 }),
                         questions: Int(Spread(measures.map { Double($0.questions) }).mean.rounded()))
        }
        try await withThrowingTaskGroup(of: (Int, Int, Measure).self) { group in
            var next = 0
            func start() {
                let (index, seedIndex) = jobs[next]
                let run = index < 0 ? configured(0, 0, strategies[0], seedIndex: seedIndex)
                    : configured(grid[index].0, grid[index].1, grid[index].2, seedIndex: seedIndex)
                group.addTask { (index, seedIndex, try await measure(run, hopMicroseconds: hopMicroseconds)) }
                next += 1
            }
            while next < min(max(parallel, 1), jobs.count) { start() }
            while let (index, seedIndex, measure) = try await group.next() {
                if index < 0 {
                    baseline[seedIndex] = measure.latency
                    baselinesLeft -= 1
                } else {
                    runs[index][seedIndex] = measure
                    if runs[index].allSatisfy({ $0 != nil }) { pending.append(index) }
                }
                // A point needs its baselines too.
                if baselinesLeft == 0 {
                    for index in pending.sorted() {
                        let point = finish(index)
                        points[index] = point
                        onPoint(point)
                    }
                    pending = []
                }
                if next < jobs.count { start() }
            }
        }
        return points.compactMap { $0 }
    }

    static func measure(_ run: PipelineRun, hopMicroseconds: Int64) async throws -> Measure {
        let report = try await SimulatedPipeline(run, hopMicroseconds: hopMicroseconds).execute()
        // Stopped (SIGINT, SIGTERM): this run's figures are partial and go into no point.
        if !report.completed && Task.isCancelled { throw CancellationError() }
        let m = report.metrics
        let share = { (count: Int) in m.questions == 0 ? 0 : Double(count) / Double(m.questions) }
        var count: UInt64 = 0
        var sum = 0.0
        for (path, summary) in report.latencyByPath where path != .cached {
            count += summary.count
            sum += summary.meanMilliseconds * Double(summary.count)
        }
        return Measure(answered: share(m.accepted + m.forced), failed: share(m.failed),
                       calls: m.asked == 0 ? 0 : Double(report.llm.callsMade) / Double(m.asked),
                       latency: count == 0 ? 0 : sum / Double(count), questions: m.questions)
    }

    public static let csvHeader = "overload_rate,quota_rate,retries,backoff_ms,reissues,questions,seeds,answered_share,answered_share_ci95,"
        + "failed_share,failed_share_ci95,llm_calls_per_asking,llm_calls_per_asking_ci95,added_latency_ms,added_latency_ms_ci95"

    /// One line per point; the same points give the same bytes.
    public static func csv(_ points: [Point]) -> String {
        var out = csvHeader + "\n"
        for p in points {
            out += [String(p.overloadRate), String(p.quotaRate), String(p.strategy.retries), String(p.strategy.backoffMilliseconds),
                    String(p.strategy.reissues), String(p.questions), String(p.answered.count)].joined(separator: ",") + ","
                + [p.answered, p.failed, p.callsPerAsking, p.addedLatencyMilliseconds]
                .map { "\($0.mean),\($0.halfWidth)" }.joined(separator: ",") + "\n"
        }
        return out
    }

    /// Points back from a CSV file written by `csv` (for the report).
    public static func parse(csv text: String) -> [Point] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let v = line.split(separator: ",").compactMap { Double($0) }
            guard v.count == 15 else { return nil }
            let seeds = Int(v[6])
            func spread(_ i: Int) -> Spread { Spread(mean: v[i], halfWidth: v[i + 1], count: seeds) }
            return Point(overloadRate: v[0], quotaRate: v[1],
                         strategy: Strategy(retries: Int(v[2]), backoffMilliseconds: v[3], reissues: Int(v[4])),
                         answered: spread(7), failed: spread(9), callsPerAsking: spread(11), addedLatencyMilliseconds: spread(13),
                         questions: Int(v[5]))
        }
    }

    /// Per error-rate pair, the strategies ranked by share answered: the best one is named only
    /// when its interval lies above the next one's; otherwise the sentence says the difference is
    /// not significant, and names the cheapest in calls of the strategies tied with the best.
    public static func conclusions(_ points: [Point]) -> [String] {
        var scenarios: [String] = []
        var grouped: [String: [Point]] = [:]
        for point in points {
            if grouped[point.scenario] == nil { scenarios.append(point.scenario) }
            grouped[point.scenario, default: []].append(point)
        }
        func describe(_ p: Point) -> String {
            String(format: "%@ (%.1f %% ± %.1f answered, %.2f ± %.2f calls per asking, +%.1f ± %.1f ms)",
                   p.strategy.description as NSString, p.answered.mean * 100, p.answered.halfWidth * 100, p.callsPerAsking.mean,
                   p.callsPerAsking.halfWidth, p.addedLatencyMilliseconds.mean, p.addedLatencyMilliseconds.halfWidth)
        }
        var lines: [String] = []
        for scenario in scenarios {
            let ranked = grouped[scenario]!.sorted { $0.answered.mean > $1.answered.mean }
            guard ranked.count > 1 else { continue }
            let best = ranked[0], next = ranked[1]
            if best.answered.count < 2 {
                lines.append("\(scenario): one run per strategy, no interval, so no strategy is named (use --seeds 5)")
            } else if best.answered.isSeparated(above: next.answered) {
                lines.append("\(scenario): best strategy \(describe(best)), its 95 % interval of the share answered above "
                    + "the next, \(describe(next))")
            } else {
                let tied = ranked.filter { !best.answered.isSeparated(above: $0.answered) }
                let cheapest = tied.min { $0.callsPerAsking.mean < $1.callsPerAsking.mean }!
                lines.append("\(scenario): the share answered does not differ significantly between \(tied.count) strategies "
                    + "(95 % intervals overlap with the best's, "
                    + String(format: "%.1f %%", best.answered.mean * 100) + "); the cheapest of them is " + describe(cheapest))
            }
        }
        return lines
    }

    /// The strategies' numbers on the charts' x axis: "1 = retries 0, backoff 100 ms, re-issues 0; 2 = ...".
    public static func strategyKey(_ points: [Point]) -> String {
        var strategies: [Strategy] = []
        for point in points where !strategies.contains(point.strategy) { strategies.append(point.strategy) }
        return "strategies on the x axis: " + strategies.enumerated().map { "\($0.offset + 1) = \($0.element)" }.joined(separator: "; ") + "."
    }

    /// Per error-rate pair: share answered by strategy, then LLM calls and added latency.
    public static func charts(_ points: [Point]) -> [SVGChart] {
        var strategies: [Strategy] = []
        for point in points where !strategies.contains(point.strategy) { strategies.append(point.strategy) }
        var scenarios: [String] = []
        for point in points where !scenarios.contains(point.scenario) { scenarios.append(point.scenario) }
        // x: the strategy's index, so every strategy gets a tick; one series per error-rate pair.
        func series(_ value: (Point) -> Double) -> [SVGChart.Series] {
            scenarios.map { scenario in
                .init(name: scenario, points: points.filter { $0.scenario == scenario }.map {
                    (x: Double(strategies.firstIndex(of: $0.strategy)! + 1), y: value($0))
                })
            }
        }
        let xLabel = "retry strategy (numbered as in the key under the charts)"
        var answered = SVGChart(title: "Retry strategies: share of questions answered", xLabel: xLabel, yLabel: "share answered",
                                series: series { $0.answered.mean })
        answered.yMinimum = nil
        var calls = SVGChart(title: "Retry strategies: LLM calls", xLabel: xLabel, yLabel: "LLM calls per asking",
                             series: series { $0.callsPerAsking.mean })
        var latency = SVGChart(title: "Retry strategies: added latency", xLabel: xLabel, yLabel: "added mean latency (ms)",
                               series: series { $0.addedLatencyMilliseconds.mean })
        latency.yMinimum = nil
        answered.integerX = true
        calls.integerX = true
        latency.integerX = true
        return [answered, calls, latency]
    }

    public static let explanation = """
        Each error-rate pair and strategy runs once per seed on a virtual clock: the offline model fails each call \
        with an overload error or a quota error (Retry-After 1 s unless set) at the given rates; the LLM service \
        retries in place (full-jitter exponential backoff from the given base for overloads, the Retry-After for \
        quota errors), and a call still failing goes to llm_errors, which re-issues it up to the given number of \
        times before the question is stored as failed. Backoff and quota waits are virtual time, so the table is \
        the same on any machine. Shares are of the distinct questions; calls are every call of the model (failed ones and retries \
        included) per asking; the \
        added latency is the mean latency of the askings that went to the LLM minus that of a run of the same seed \
        without errors. A strategy is called best only when its 95 % interval of the share answered lies above the next one's.
        """
}

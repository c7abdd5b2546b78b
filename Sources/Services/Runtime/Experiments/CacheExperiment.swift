import Foundation
import Cache
import Generator
import Storage
import Observability

/// Cache policy, size and TTL against hit rate and latency: one run of the pipeline per
/// combination over the same question stream, for each popularity law and arrival process.
///
/// What a run measures is a live deployment replayed faster. The arrival process's schedule
/// is compressed `speedup` times (so are the offline LLM's latencies), and the cache reads the
/// run's own `ScheduleClock`, which follows the schedule of the askings sent and read by the
/// cache: a TTL counts in the time of the deployment being replayed. The pipeline itself runs for real, so a repeated question can
/// only hit once its first answer has been decided, stored and learnt by the cache; what is
/// not compressed is the pipeline's own processing time, which in the replayed time weighs
/// `speedup` times more: at a speed-up of 20, a millisecond of processing stands for 20 ms of
/// the deployment's time, so the window in which a repeat misses because its first answer is
/// still on its way is, if anything, wider than live. Latencies are wall-clock milliseconds of
/// the compressed run; with `speedup` 1 the run is the live deployment itself.
public enum CacheExperiment {
    public struct Point: Sendable, Equatable {
        public var policy: CachePolicy
        public var size: Int
        public var ttl: Int
        /// `zipf:S` or `uniform`.
        public var popularity: String
        /// The arrival process being replayed, e.g. `constant:2000` (per second).
        public var arrival: String
        public var hitRate: Double
        public var llmCallsPerQuestion: Double
        /// End-to-end latency percentiles, wall-clock milliseconds of the compressed run.
        public var p50: Double
        public var p90: Double
        public var p99: Double
        /// Questions decided per wall-clock second.
        public var questionsPerSecond: Double
        /// Questions per wall-clock second the compressed schedule asked for.
        public var offeredPerSecond: Double
        public var speedup: Double
        /// Runs averaged into this point, one per seed.
        public var seeds = 1
        /// Half-widths of the 95 % intervals of the hit rate and of the LLM calls per question
        /// over the seeds (0 with one seed).
        public var hitRateHalfWidth = 0.0
        public var llmCallsHalfWidth = 0.0
        /// Run on the virtual clock (`SimulatedPipeline`): the figures are a function of the seeds
        /// and the latencies are virtual. Otherwise a real-time run, replayed `speedup` times faster.
        public var simulated = false

        /// The hit rate's mean and interval.
        public var hitRateSpread: Spread { Spread(mean: hitRate, halfWidth: hitRateHalfWidth, count: seeds) }

        /// Decided over offered rate: about 1 when the pipeline kept up with the compressed
        /// schedule. Well under 1, questions queued up, first answers came later than live and
        /// the hit rate is lower than the replayed deployment's (lower the speed-up).
        public var pace: Double { offeredPerSecond > 0 ? questionsPerSecond / offeredPerSecond : 1 }

        /// The scenario this point belongs to: popularity and arrival process.
        public var scenario: String { "\(popularity), \(arrival)" }
    }

    /// One popularity law and one arrival process: the traffic the combinations are tried under.
    public struct Scenario: Sendable {
        public var popularity: Popularity
        public var arrival: ArrivalProcess

        public init(popularity: Popularity, arrival: ArrivalProcess) {
            self.popularity = popularity
            self.arrival = arrival
        }

        public var popularityLabel: String { popularity.zipfExponent.map { "zipf:\(Self.number($0))" } ?? "uniform" }

        public var arrivalLabel: String {
            switch arrival {
            case .poisson(let lambda): return "poisson:\(Self.number(lambda))"
            case .uniform(let low, let high): return "uniform:\(Self.number(low))-\(Self.number(high))s"
            case .constant(let rate): return rate == 0 ? "constant:max" : "constant:\(Self.number(rate))"
            }
        }

        static func number(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }
    }

    /// How each run goes: on the virtual clock (reproducible, as fast as the CPU allows), or in
    /// real time replayed `speedup` times faster (a load test of this machine).
    public enum Mode: Sendable {
        case simulated(hopMicroseconds: Int64 = 1000)
        case realTime(speedup: Double, backend: ExperimentBackend = .embedded())
    }

    /// Runs `base` once per scenario, policy, size, TTL and seed, `parallel` runs at a time; calls
    /// `onPoint` as each combination's seeds are all done and returns one point per combination
    /// (means over the seeds, with their 95 % intervals) in grid order.
    public static func run(_ base: PipelineRun, scenarios: [Scenario]? = nil, policies: [CachePolicy], sizes: [Int], ttls: [Int],
                           seeds: [UInt64]? = nil, mode: Mode, parallel: Int = 1, prefix: String = "cache_",
                           onPoint: @Sendable (Point) -> Void = { _ in }) async throws -> [Point] {
        let scenarios = scenarios ?? [Scenario(popularity: base.popularity, arrival: base.arrival)]
        let seeds = seeds ?? [base.seed]
        var grid: [(Scenario, CacheConfiguration)] = []
        for scenario in scenarios {
            for policy in policies {
                for size in sizes {
                    for ttl in ttls { grid.append((scenario, CacheConfiguration(policy: policy, capacity: size, ttlSeconds: ttl))) }
                }
            }
        }
        var runs = [[Point?]](repeating: [Point?](repeating: nil, count: seeds.count), count: grid.count)
        var points = [Point?](repeating: nil, count: grid.count)
        try await withThrowingTaskGroup(of: (Int, Int, Point).self) { group in
            var next = 0
            let total = grid.count * seeds.count
            func start() {
                let index = next / seeds.count
                let seedIndex = next % seeds.count
                let (scenario, cache) = grid[index]
                var run = base
                run.seed = seeds[seedIndex]
                let runPrefix = "\(prefix)\(index)_\(seedIndex)_"
                group.addTask {
                    (index, seedIndex, try await runOne(run, scenario: scenario, cache: cache, mode: mode, prefix: runPrefix))
                }
                next += 1
            }
            while next < min(max(parallel, 1), total) { start() }
            while let (index, seedIndex, point) = try await group.next() {
                runs[index][seedIndex] = point
                if runs[index].allSatisfy({ $0 != nil }) {
                    let point = aggregate(runs[index].compactMap { $0 })
                    points[index] = point
                    onPoint(point)
                }
                if next < total { start() }
            }
        }
        return points.compactMap { $0 }
    }

    /// One point of several runs of the same combination: the mean of every measure, and the
    /// intervals of the hit rate and the LLM calls.
    static func aggregate(_ runs: [Point]) -> Point {
        var point = runs[0]
        func mean(_ value: (Point) -> Double) -> Double { Spread(runs.map(value)).mean }
        let hits = Spread(runs.map(\.hitRate))
        let calls = Spread(runs.map(\.llmCallsPerQuestion))
        point.hitRate = hits.mean
        point.hitRateHalfWidth = hits.halfWidth
        point.llmCallsPerQuestion = calls.mean
        point.llmCallsHalfWidth = calls.halfWidth
        point.p50 = mean(\.p50)
        point.p90 = mean(\.p90)
        point.p99 = mean(\.p99)
        point.questionsPerSecond = mean(\.questionsPerSecond)
        point.seeds = runs.count
        return point
    }

    /// The same grid as before this experiment took seeds: real-time runs, one per combination.
    public static func run(_ base: PipelineRun, scenarios: [Scenario]? = nil, policies: [CachePolicy], sizes: [Int], ttls: [Int],
                           speedup: Double = 1, parallel: Int = 1, backend: ExperimentBackend = .embedded(), prefix: String = "cache_",
                           onPoint: @Sendable (Point) -> Void = { _ in }) async throws -> [Point] {
        try await run(base, scenarios: scenarios, policies: policies, sizes: sizes, ttls: ttls, seeds: nil,
                      mode: .realTime(speedup: speedup, backend: backend), parallel: parallel, prefix: prefix, onPoint: onPoint)
    }

    static func runOne(_ base: PipelineRun, scenario: Scenario, cache: CacheConfiguration, mode: Mode,
                       prefix: String) async throws -> Point {
        try await measure(base, scenario: scenario, cache: cache, mode: mode, prefix: prefix).point
    }

    /// One run of the pipeline: its point and the whole report it was read from.
    static func measure(_ base: PipelineRun, scenario: Scenario, cache: CacheConfiguration, mode: Mode,
                        prefix: String) async throws -> (point: Point, report: PipelineRun.Report) {
        var run = base
        run.popularity = scenario.popularity
        run.settings.cache = cache
        let report: PipelineRun.Report
        let speedup: Double
        switch mode {
        case .simulated(let hop):
            run.arrival = scenario.arrival
            speedup = 1
            report = try await SimulatedPipeline(run, hopMicroseconds: hop).execute()
        case .realTime(let factor, let backend):
            speedup = factor
            let clock = ScheduleClock(speedup: speedup)
            run.arrival = scenario.arrival.compressed(by: speedup)
            run.settings.cache.clock = clock.cacheClock
            run.settings.cache.onAsking = { clock.asked(at: $0) }
            run.settings.llm.latencyMedianMilliseconds /= speedup
            let (ready, transport) = try await backend.prepare(run, prefix: prefix)
            report = try await ready.run(transport: transport, store: InMemoryResultStore(), onSent: { clock.advance(past: $0) })
        }
        // Stopped (SIGINT, SIGTERM): this run's figures are partial and go into no point.
        if !report.completed && Task.isCancelled { throw CancellationError() }
        let r = report
        var point = Point(policy: cache.policy, size: cache.capacity, ttl: cache.ttlSeconds, popularity: scenario.popularityLabel,
                          arrival: scenario.arrivalLabel, hitRate: r.cacheHitRate, llmCallsPerQuestion: r.llmCallsPerQuestion,
                          p50: r.latency.p50Milliseconds, p90: r.latency.p90Milliseconds, p99: r.latency.p99Milliseconds,
                          questionsPerSecond: r.questionsPerSecond, offeredPerSecond: run.arrival.meanRate, speedup: speedup)
        if case .simulated = mode { point.simulated = true }
        return (point, report)
    }

    /// One sentence per scenario, size and TTL: the policy with the best hit rate when its interval
    /// lies above the next one's, else that the difference is not significant.
    public static func conclusions(_ points: [Point]) -> [String] {
        var lines: [String] = []
        var groups: [String] = []
        var grouped: [String: [Point]] = [:]
        for point in points {
            let key = "\(point.scenario), size \(point.size), TTL \(point.ttl) s"
            if grouped[key] == nil { groups.append(key) }
            grouped[key, default: []].append(point)
        }
        func describe(_ p: Point) -> String {
            p.seeds > 1 ? String(format: "%@ %.1f %% ± %.1f", p.policy.rawValue, p.hitRate * 100, p.hitRateHalfWidth * 100)
                : String(format: "%@ %.1f %%", p.policy.rawValue, p.hitRate * 100)
        }
        for key in groups {
            let ranked = grouped[key]!.sorted { $0.hitRate != $1.hitRate ? $0.hitRate > $1.hitRate : $0.policy.rawValue < $1.policy.rawValue }
            guard ranked.count > 1 else { continue }
            let best = ranked[0]
            let next = ranked[1]
            if best.seeds < 2 || next.seeds < 2 {
                lines.append("\(key): \(describe(best)) ahead of \(describe(next)), one run each: no interval, so no winner (use --seeds 5)")
            } else if best.hitRateSpread.isSeparated(above: next.hitRateSpread) {
                lines.append("\(key): best policy \(best.policy.rawValue) (\(describe(best))), its 95 % interval above \(describe(next))")
            } else {
                lines.append("\(key): \(describe(best)) vs \(describe(next)): the difference is not significant (95 % intervals overlap)")
            }
        }
        return lines
    }

    /// What a simulated experiment measures, in a few sentences for its page.
    public static let simulatedExplanation = """
        Each combination is run once per seed on a virtual clock: the same cache, LLM, score and store code \
        as a live run, stepped message by message in order of virtual time. Arrivals, the offline LLM's latency, \
        retry backoff, each hop between services (1 ms unless set) and the TTL are virtual time, and processing \
        takes none, so a run depends only on its settings and seed: the same table on any machine and under any \
        load. A repeated question hits only once its first answer has been decided and learnt by the cache. \
        Each figure is the mean over the seeds with its 95 % interval (Student t); a policy is called best only \
        when its interval lies above the next one's. Latencies are virtual milliseconds.
        """

    /// What a real-time experiment measures, in a few sentences for its page.
    public static let explanation = """
        Each combination is one run of the whole pipeline, replaying a live deployment faster: the arrival \
        schedule and the offline LLM's latency are compressed by the speed-up, and the cache's clock follows \
        the schedule of the questions sent, so a TTL counts in the replayed deployment's time. A repeated \
        question hits only once its first answer has been decided and learnt by the cache. Latencies are \
        wall-clock milliseconds of the compressed run.
        """

    public static let csvHeader =
        "policy,size,ttl,popularity,arrival,hit_rate,llm_calls_per_question,p50_ms,p90_ms,p99_ms,questions_per_second,offered_per_second,speedup,"
        + "mode,seeds,hit_rate_ci95,llm_calls_per_question_ci95"

    /// One line per point; the same points give the same bytes (numbers in Swift's shortest
    /// round-trip form, rows in grid order).
    public static func csv(_ points: [Point]) -> String {
        var out = csvHeader + "\n"
        for p in points {
            out += "\(p.policy.rawValue),\(p.size),\(p.ttl),\(p.popularity),\(p.arrival),"
                + [p.hitRate, p.llmCallsPerQuestion, p.p50, p.p90, p.p99, p.questionsPerSecond, p.offeredPerSecond, p.speedup]
                .map { String($0) }.joined(separator: ",")
                + ",\(p.simulated ? "simulated" : "real-time"),\(p.seeds),\(p.hitRateHalfWidth),\(p.llmCallsHalfWidth)\n"
        }
        return out
    }

    /// Points back from a CSV file written by `csv` (for the report); also reads the files of
    /// earlier versions, whose 13 columns had no mode, seeds or intervals.
    public static func parse(csv text: String) -> [Point] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 13 || f.count == 17, let policy = CachePolicy(rawValue: f[0]), let size = Int(f[1]), let ttl = Int(f[2])
            else { return nil }
            let v = f[5..<13].compactMap { Double($0) }
            guard v.count == 8 else { return nil }
            var point = Point(policy: policy, size: size, ttl: ttl, popularity: f[3], arrival: f[4], hitRate: v[0],
                              llmCallsPerQuestion: v[1], p50: v[2], p90: v[3], p99: v[4], questionsPerSecond: v[5],
                              offeredPerSecond: v[6], speedup: v[7])
            if f.count == 17 {
                guard let seeds = Int(f[14]), let hitWidth = Double(f[15]), let callWidth = Double(f[16]) else { return nil }
                point.simulated = f[13] == "simulated"
                point.seeds = seeds
                point.hitRateHalfWidth = hitWidth
                point.llmCallsHalfWidth = callWidth
            }
            return point
        }
    }

    /// Per scenario: hit rate against cache size (one line per policy and TTL), then p99
    /// latency likewise.
    public static func charts(_ points: [Point]) -> [SVGChart] {
        var scenarios: [String] = []
        for point in points where !scenarios.contains(point.scenario) { scenarios.append(point.scenario) }
        var hitCharts: [SVGChart] = []
        var latencyCharts: [SVGChart] = []
        for scenario in scenarios {
            var keys: [String] = []
            var grouped: [String: [Point]] = [:]
            for point in points where point.scenario == scenario {
                let key = "\(point.policy.rawValue) ttl \(point.ttl)"
                if grouped[key] == nil { keys.append(key) }
                grouped[key, default: []].append(point)
            }
            func series(_ value: @escaping (Point) -> Double) -> [SVGChart.Series] {
                keys.map { key in
                    .init(name: key, points: grouped[key]!.sorted { $0.size < $1.size }.map { (x: Double($0.size), y: value($0)) })
                }
            }
            var hits = SVGChart(title: "Cache hit rate (\(scenario))", xLabel: "cache size (entries, log scale)", yLabel: "hit rate",
                                series: series(\.hitRate))
            hits.logX = true
            hitCharts.append(hits)
            // A simulated run's latencies are virtual time; a real-time run's, wall-clock time.
            let clock = points.contains { $0.scenario == scenario && !$0.simulated } ? "wall-clock" : "virtual clock"
            var latency = SVGChart(title: "p99 latency (\(scenario))", xLabel: "cache size (entries, log scale)",
                                   yLabel: "p99 latency, \(clock) (ms)", series: series(\.p99))
            latency.logX = true
            latencyCharts.append(latency)
        }
        return hitCharts + latencyCharts
    }
}

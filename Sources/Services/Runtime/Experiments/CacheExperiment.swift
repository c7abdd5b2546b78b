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
/// run's own `ScheduleClock`, which follows the schedule: a TTL counts in the time of the
/// deployment being replayed. The pipeline itself runs for real, so a repeated question can
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

    /// Runs `base` once per scenario, policy, size and TTL, `parallel` runs at a time; calls
    /// `onPoint` as each finishes and returns the points in grid order.
    public static func run(_ base: PipelineRun, scenarios: [Scenario]? = nil, policies: [CachePolicy], sizes: [Int], ttls: [Int],
                           speedup: Double = 1, parallel: Int = 1, backend: ExperimentBackend = .embedded(), prefix: String = "cache_",
                           onPoint: @Sendable (Point) -> Void = { _ in }) async throws -> [Point] {
        let scenarios = scenarios ?? [Scenario(popularity: base.popularity, arrival: base.arrival)]
        var grid: [(Scenario, CacheConfiguration)] = []
        for scenario in scenarios {
            for policy in policies {
                for size in sizes {
                    for ttl in ttls { grid.append((scenario, CacheConfiguration(policy: policy, capacity: size, ttlSeconds: ttl))) }
                }
            }
        }
        var points = [Point?](repeating: nil, count: grid.count)
        try await withThrowingTaskGroup(of: (Int, Point).self) { group in
            var next = 0
            func start() {
                let index = next
                let (scenario, cache) = grid[index]
                group.addTask {
                    (index, try await runOne(base, scenario: scenario, cache: cache, speedup: speedup, backend: backend,
                                             prefix: "\(prefix)\(index)_"))
                }
                next += 1
            }
            while next < min(max(parallel, 1), grid.count) { start() }
            while let (index, point) = try await group.next() {
                onPoint(point)
                points[index] = point
                if next < grid.count { start() }
            }
        }
        return points.compactMap { $0 }
    }

    static func runOne(_ base: PipelineRun, scenario: Scenario, cache: CacheConfiguration, speedup: Double,
                       backend: ExperimentBackend, prefix: String) async throws -> Point {
        var run = base
        let clock = ScheduleClock(speedup: speedup)
        run.popularity = scenario.popularity
        run.arrival = scenario.arrival.compressed(by: speedup)
        run.settings.cache = cache
        run.settings.cache.clock = clock.cacheClock
        run.settings.llm.latencyMedianMilliseconds /= speedup
        let (ready, transport) = try await backend.prepare(run, prefix: prefix)
        let r = try await ready.run(transport: transport, store: InMemoryResultStore(), onSent: { clock.advance(past: $0) })
        return Point(policy: cache.policy, size: cache.capacity, ttl: cache.ttlSeconds, popularity: scenario.popularityLabel,
                     arrival: scenario.arrivalLabel, hitRate: r.cacheHitRate, llmCallsPerQuestion: r.llmCallsPerQuestion,
                     p50: r.latency.p50Milliseconds, p90: r.latency.p90Milliseconds, p99: r.latency.p99Milliseconds,
                     questionsPerSecond: r.questionsPerSecond, offeredPerSecond: run.arrival.meanRate, speedup: speedup)
    }

    /// What the experiment measures, in a few sentences for its page.
    public static let explanation = """
        Each combination is one run of the whole pipeline, replaying a live deployment faster: the arrival \
        schedule and the offline LLM's latency are compressed by the speed-up, and the cache's clock follows \
        the schedule of the questions sent, so a TTL counts in the replayed deployment's time. A repeated \
        question hits only once its first answer has been decided and learnt by the cache. Latencies are \
        wall-clock milliseconds of the compressed run.
        """

    public static let csvHeader =
        "policy,size,ttl,popularity,arrival,hit_rate,llm_calls_per_question,p50_ms,p90_ms,p99_ms,questions_per_second,offered_per_second,speedup"

    public static func csv(_ points: [Point]) -> String {
        var out = csvHeader + "\n"
        for p in points {
            out += "\(p.policy.rawValue),\(p.size),\(p.ttl),\(p.popularity),\(p.arrival),"
                + [p.hitRate, p.llmCallsPerQuestion, p.p50, p.p90, p.p99, p.questionsPerSecond, p.offeredPerSecond, p.speedup]
                .map { String($0) }.joined(separator: ",") + "\n"
        }
        return out
    }

    /// Points back from a CSV file written by `csv` (for the report).
    public static func parse(csv text: String) -> [Point] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 13, let policy = CachePolicy(rawValue: f[0]), let size = Int(f[1]), let ttl = Int(f[2]) else { return nil }
            let v = f[5...].compactMap { Double($0) }
            guard v.count == 8 else { return nil }
            return Point(policy: policy, size: size, ttl: ttl, popularity: f[3], arrival: f[4], hitRate: v[0],
                         llmCallsPerQuestion: v[1], p50: v[2], p90: v[3], p99: v[4], questionsPerSecond: v[5],
                         offeredPerSecond: v[6], speedup: v[7])
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
            var latency = SVGChart(title: "p99 latency (\(scenario))", xLabel: "cache size (entries, log scale)",
                                   yLabel: "p99 latency, wall-clock (ms)", series: series(\.p99))
            latency.logX = true
            latencyCharts.append(latency)
        }
        return hitCharts + latencyCharts
    }
}

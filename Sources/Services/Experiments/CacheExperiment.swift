import Foundation

/// Cache policy, size and TTL against hit rate and latency: one embedded run per combination
/// over the same Zipf question stream.
public enum CacheExperiment {
    public struct Point: Sendable, Equatable {
        public var policy: CachePolicy
        public var size: Int
        public var ttl: Int
        public var hitRate: Double
        public var llmCallsPerQuestion: Double
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var questionsPerSecond: Double
    }

    public static func run(_ base: PipelineRun, policies: [CachePolicy], sizes: [Int], ttls: [Int],
                           onPoint: @Sendable (Point) -> Void = { _ in }) async throws -> [Point] {
        var points: [Point] = []
        for policy in policies {
            for size in sizes {
                for ttl in ttls {
                    var run = base
                    run.settings.cache = CacheConfiguration(policy: policy, capacity: size, ttlSeconds: ttl)
                    let outcome = try await run.collect()
                    let r = outcome.report
                    let point = Point(policy: policy, size: size, ttl: ttl, hitRate: r.cacheHitRate,
                                      llmCallsPerQuestion: r.llmCallsPerQuestion, p50: r.latency.p50Milliseconds,
                                      p90: r.latency.p90Milliseconds, p99: r.latency.p99Milliseconds,
                                      questionsPerSecond: r.questionsPerSecond)
                    onPoint(point)
                    points.append(point)
                }
            }
        }
        return points
    }

    public static let csvHeader = "policy,size,ttl,hit_rate,llm_calls_per_question,p50_ms,p90_ms,p99_ms,questions_per_second"

    public static func csv(_ points: [Point]) -> String {
        var out = csvHeader + "\n"
        for p in points {
            out += "\(p.policy.rawValue),\(p.size),\(p.ttl)," + [p.hitRate, p.llmCallsPerQuestion, p.p50, p.p90, p.p99, p.questionsPerSecond]
                .map { String($0) }.joined(separator: ",") + "\n"
        }
        return out
    }

    public static func parse(csv text: String) -> [Point] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: ",").map(String.init)
            guard f.count >= 9, let policy = CachePolicy(rawValue: f[0]), let size = Int(f[1]), let ttl = Int(f[2]) else { return nil }
            let v = f[3...].compactMap { Double($0) }
            guard v.count == 6 else { return nil }
            return Point(policy: policy, size: size, ttl: ttl, hitRate: v[0], llmCallsPerQuestion: v[1], p50: v[2], p90: v[3],
                         p99: v[4], questionsPerSecond: v[5])
        }
    }

    /// Hit rate against cache size (one line per policy and TTL), and p99 latency likewise.
    public static func charts(_ points: [Point]) -> [SVGChart] {
        var keys: [String] = []
        var grouped: [String: [Point]] = [:]
        for point in points {
            let key = "\(point.policy.rawValue) ttl \(point.ttl)"
            if grouped[key] == nil { keys.append(key) }
            grouped[key, default: []].append(point)
        }
        func series(_ value: @escaping (Point) -> Double) -> [SVGChart.Series] {
            keys.map { key in .init(name: key, points: grouped[key]!.sorted { $0.size < $1.size }.map { (x: Double($0.size), y: value($0)) }) }
        }
        var hits = SVGChart(title: "Cache hit rate by policy and size", xLabel: "cache size (entries, log scale)", yLabel: "hit rate",
                            series: series(\.hitRate))
        hits.logX = true
        var latency = SVGChart(title: "p99 latency by policy and size", xLabel: "cache size (entries, log scale)",
                               yLabel: "p99 latency (ms)", series: series(\.p99))
        latency.logX = true
        return [hits, latency]
    }
}

import Foundation
import Testing

@testable import Cache
@testable import Generator
@testable import Runtime
@testable import Storage
@testable import VeredictoCore

/// The simulated-time pipeline: a function of its settings and seed, on a virtual clock.
@Suite struct SimulatedPipelineTests {
    static func base(total: Int, seed: UInt64 = 11) throws -> PipelineRun {
        var run = try EmbeddedCommandTests.ExperimentTests.base(total: total, arrival: .constant(rate: 2000))
        run.seed = seed
        return run
    }

    /// Everything a report holds that a seed decides (not the peak memory of the process).
    static func fingerprint(_ report: PipelineRun.Report) -> String {
        let m = report.metrics
        return "\(report.questions) \(report.seconds) \(m.questions) \(m.asked) \(m.accepted) \(m.forced) \(m.failed) "
            + "\(m.bySource.sorted { $0.key.rawValue < $1.key.rawValue }) \(m.scoreSum) \(m.firstScoreSum) \(m.regenerations) "
            + "\(m.llmCalls) \(report.latency) \(report.latencyByPath.map { "\($0.path.label) \($0.summary)" })"
    }

    @Test(.timeLimit(.minutes(5)))
    func theSameSeedGivesTheSameRunEvenWithTheCoresBusy() async throws {
        var run = try Self.base(total: 3000)
        run.settings.cache = CacheConfiguration(policy: .lru, capacity: 64, ttlSeconds: 1)
        run.settings.llm.latencyMedianMilliseconds = 40
        run.settings.llm.latencySigma = 0.5
        run.settings.llm.overloadRate = 0.2
        let idle = try await SimulatedPipeline(run).execute()
        // The same run while threads outside the task pool keep every core busy.
        let stop = LockedValue(false)
        let burners = (0..<4).map { _ in
            let thread = Thread {
                var x = 0.0
                while !stop.withLock({ $0 }) { for i in 0..<10_000 { x += Double(i).squareRoot() } }
                if x < 0 { print(x) }
            }
            thread.start()
            return thread
        }
        let busy = try await SimulatedPipeline(run).execute()
        stop.withLock { $0 = true }
        _ = burners
        #expect(idle.completed && busy.completed)
        #expect(Self.fingerprint(idle) == Self.fingerprint(busy))
        // A different seed is a different run.
        run.seed = 12
        let other = try await SimulatedPipeline(run).execute()
        #expect(Self.fingerprint(other) != Self.fingerprint(idle))
    }

    @Test(.timeLimit(.minutes(5)))
    func llmLatencyAndHopsRunOnTheVirtualClock() async throws {
        var run = try Self.base(total: 500)
        run.settings.llm.latencyMedianMilliseconds = 200
        run.settings.llm.maxConcurrency = 10_000  // no request waits for a slot
        let report = try await SimulatedPipeline(run, hopMicroseconds: 1000).execute()
        #expect(report.completed)
        #expect(report.metrics.asked == 500)
        // 500 questions at 2,000/s are 0.25 s of virtual time, plus the last answer's way.
        #expect(report.seconds >= 0.25 && report.seconds < 2)
        let byPath = Dictionary(uniqueKeysWithValues: report.latencyByPath.map { ($0.path.label, $0.summary) })
        // A cache hit crosses 2 hops; one LLM attempt 4 hops and 200 ms of model latency.
        #expect(byPath["cache"]?.p50Milliseconds == 2)
        let firstAttempt = try #require(byPath["llm_1"])
        #expect(firstAttempt.p50Milliseconds >= 203 && firstAttempt.p50Milliseconds <= 205)
    }

    @Test(.timeLimit(.minutes(5)))
    func latencyIsMeasuredInMicroseconds() async throws {
        // Hops of 250 µs: a cache hit crosses two, 0.5 ms, which whole milliseconds cannot show.
        let report = try await SimulatedPipeline(try Self.base(total: 300), hopMicroseconds: 250).execute()
        let cache = try #require(report.latencyByPath.first { $0.path.label == "cache" }?.summary)
        #expect(cache.p50Milliseconds == 0.5)
        let firstAttempt = try #require(report.latencyByPath.first { $0.path.label == "llm_1" }?.summary)
        #expect(firstAttempt.p50Milliseconds == 1)
    }

    @Test(.timeLimit(.minutes(5)))
    func aTTLExpiresOnTheVirtualClock() async throws {
        // 4,000 questions at 2,000/s: 2 s of virtual time. A TTL of 1 s expires entries that
        // no TTL keeps, so fewer repeats hit.
        var run = try Self.base(total: 4000)
        run.settings.cache = CacheConfiguration(policy: .lru, capacity: 4096, ttlSeconds: 0)
        let forever = try await SimulatedPipeline(run).execute()
        run.settings.cache = CacheConfiguration(policy: .lru, capacity: 4096, ttlSeconds: 1)
        let oneSecond = try await SimulatedPipeline(run).execute()
        #expect(forever.cacheHitRate > oneSecond.cacheHitRate)
        #expect(oneSecond.cacheHitRate > 0)
    }
}

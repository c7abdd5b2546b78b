import Foundation
import Testing

@testable import Generator
@testable import Runtime
@testable import Storage
@testable import VeredictoCore

/// The retry-strategy and regeneration experiments: reproducible by seed, and a conclusion only
/// where the intervals separate.
@Suite struct RetryRegenerationExperimentTests {
    static func base(total: Int) throws -> PipelineRun {
        try SimulatedPipelineTests.base(total: total)
    }

    static func spread(_ mean: Double, _ halfWidth: Double, count: Int = 5) -> Spread {
        Spread(mean: mean, halfWidth: halfWidth, count: count)
    }

    @Test(.timeLimit(.minutes(5)))
    func theRetryExperimentGivesTheSameCSVForTheSameSeeds() async throws {
        let base = try Self.base(total: 400)
        let strategies = [RetryExperiment.Strategy(retries: 0, backoffMilliseconds: 100, reissues: 0),
                          RetryExperiment.Strategy(retries: 2, backoffMilliseconds: 100, reissues: 1)]
        func csv(_ seeds: [UInt64], parallel: Int) async throws -> String {
            RetryExperiment.csv(try await RetryExperiment.run(base, overloadRates: [0.4], quotaRates: [0, 0.2], strategies: strategies,
                                                              seeds: seeds, parallel: parallel))
        }
        let first = try await csv([11, 12, 13], parallel: 1)
        let again = try await csv([11, 12, 13], parallel: 3)
        #expect(first == again)
        #expect(first.split(separator: "\n").count == 1 + 2 * 2)
        #expect(try await csv([21, 22, 23], parallel: 2) != first)
    }

    @Test(.timeLimit(.minutes(5)))
    func retriesAnswerMoreUnderOverloadForMoreCalls() async throws {
        let points = try await RetryExperiment.run(
            try Self.base(total: 400), overloadRates: [0.6], quotaRates: [0],
            strategies: [.init(retries: 0, backoffMilliseconds: 100, reissues: 0), .init(retries: 3, backoffMilliseconds: 100, reissues: 2)],
            seeds: [11, 12, 13], parallel: 2)
        #expect(points.count == 2)
        let none = points[0], many = points[1]
        // Without retries 60 % of the chains fail at their first call (more: a regeneration can fail too).
        #expect(none.failed.mean > 0.5)
        #expect(many.answered.isSeparated(above: none.answered))
        #expect(many.callsPerAsking.mean > none.callsPerAsking.mean)
        // Backoff waits are virtual time added to the chains that met errors.
        #expect(many.addedLatencyMilliseconds.mean > 0)
        let line = try #require(RetryExperiment.conclusions(points).first)
        #expect(line.contains("best strategy retries 3"))
    }

    @Test func aRetryStrategyIsNamedBestOnlyWhenItsIntervalSeparates() {
        func point(_ retries: Int, answered: Spread, calls: Double) -> RetryExperiment.Point {
            .init(overloadRate: 0.3, quotaRate: 0, strategy: .init(retries: retries, backoffMilliseconds: 100, reissues: 0),
                  answered: answered, failed: Self.spread(1 - answered.mean, answered.halfWidth),
                  callsPerAsking: Self.spread(calls, 0.01), addedLatencyMilliseconds: Self.spread(5, 1), questions: 300)
        }
        let overlapping = RetryExperiment.conclusions([point(1, answered: Self.spread(0.95, 0.02), calls: 1.4),
                                                       point(3, answered: Self.spread(0.96, 0.02), calls: 1.6)])
        #expect(overlapping.count == 1)
        #expect(!overlapping[0].contains("best strategy"))
        #expect(overlapping[0].contains("does not differ significantly"))
        // The cheaper of the two tied strategies is the one named.
        #expect(overlapping[0].contains("cheapest of them is retries 1"))
        let separated = RetryExperiment.conclusions([point(1, answered: Self.spread(0.90, 0.02), calls: 1.4),
                                                     point(3, answered: Self.spread(0.96, 0.02), calls: 1.6)])
        #expect(separated[0].contains("best strategy retries 3"))
        // One run each: no interval, no winner.
        let single = RetryExperiment.conclusions([point(1, answered: Self.spread(0.90, 0, count: 1), calls: 1.4),
                                                  point(3, answered: Self.spread(0.96, 0, count: 1), calls: 1.6)])
        #expect(!single[0].contains("best strategy"))
    }

    @Test func theRetryCSVReadsBack() {
        let point = RetryExperiment.Point(overloadRate: 0.3, quotaRate: 0.1, strategy: .init(retries: 2, backoffMilliseconds: 50, reissues: 1),
                                          answered: Self.spread(0.9, 0.01), failed: Self.spread(0.1, 0.01),
                                          callsPerAsking: Self.spread(1.5, 0.02), addedLatencyMilliseconds: Self.spread(12.25, 0.5),
                                          questions: 300)
        #expect(RetryExperiment.parse(csv: RetryExperiment.csv([point])) == [point])
    }

    @Test(.timeLimit(.minutes(5)))
    func theRegenerationExperimentGivesTheSameCSVForTheSameSeeds() async throws {
        let base = try Self.base(total: 400)
        func run(_ seeds: [UInt64], parallel: Int) async throws -> [RegenerationExperiment.Point] {
            try await RegenerationExperiment.run(base, thresholds: [0.5, 0.65], maxRetries: [3], seeds: seeds, parallel: parallel)
        }
        let points = try await run([11, 12, 13], parallel: 1)
        let first = RegenerationExperiment.csv(points)
        #expect(RegenerationExperiment.csv(try await run([11, 12, 13], parallel: 3)) == first)
        #expect(RegenerationExperiment.csv(try await run([21, 22, 23], parallel: 2)) != first)
        // Attempts 2 and 3 per threshold; a higher threshold sends more chains to attempt 2.
        #expect(points.map(\.attempt) == [2, 3, 2, 3])
        #expect(points[2].reached.mean > points[0].reached.mean)
        // Without injected errors an attempt takes one call per chain that makes it.
        for p in points { #expect(abs(p.callsPerChain.mean - p.reached.mean) < 1e-9) }
        // Chains regenerated after a low score gain on average at attempt 2.
        #expect(points[0].gain.mean > 0)
    }

    @Test func perAttemptGainsAreMeasuredOnTheChainsThatMadeTheAttempt() {
        let scores: [String: [Int: Double]] = ["a": [1: 0.2, 2: 0.5, 3: 0.6], "b": [1: 0.3, 2: 0.2], "c": [1: 0.8], "d": [1: 0.9]]
        let measure = RegenerationExperiment.reduce(scores, maxRetries: 3, llmCalls: 7)
        #expect(measure.reached == [1, 0.5, 0.25])
        // Attempt 2: (0.3 - 0.2 + ... ) over chains a and b: (+0.3, -0.1) / 2.
        #expect(abs(measure.gain[1] - 0.1) < 1e-12)
        #expect(abs(measure.gain[2] - 0.1) < 1e-12)
        #expect(measure.calls == [1, 0.5, 0.25])
    }

    @Test func theRegenerationCSVReadsBack() {
        let point = RegenerationExperiment.Point(threshold: 0.65, maxRetries: 5, attempt: 3, reached: Self.spread(0.47, 0.015),
                                                 gain: Self.spread(0.057, 0.024), gainPerChain: Self.spread(0.027, 0.012),
                                                 callsPerChain: Self.spread(0.474, 0.015))
        #expect(RegenerationExperiment.parse(csv: RegenerationExperiment.csv([point])) == [point])
    }

    @Test func aRegenerationGainIsStatedOnlyWhenItsIntervalExcludesZero() {
        func point(_ attempt: Int, gain: Spread) -> RegenerationExperiment.Point {
            .init(threshold: 0.65, maxRetries: 3, attempt: attempt, reached: Self.spread(0.5, 0.02), gain: gain,
                  gainPerChain: Self.spread(gain.mean * 0.5, gain.halfWidth * 0.5), callsPerChain: Self.spread(0.5, 0.02))
        }
        let lines = RegenerationExperiment.conclusions([point(2, gain: Self.spread(0.08, 0.01)), point(3, gain: Self.spread(0.01, 0.02))])
        #expect(lines.count == 1)
        #expect(lines[0].contains("attempt 2 gains"))
        #expect(lines[0].contains("attempt 3 +0.010 ± 0.020 over attempt 2"))
        #expect(lines[0].contains("not significant"))
        #expect(lines[0].contains("each attempt up to 2 raises the score significantly"))
        let none = RegenerationExperiment.conclusions([point(2, gain: Self.spread(0.01, 0.02)), point(3, gain: Self.spread(0.05, 0.01))])
        #expect(none[0].contains("no regeneration raises the score significantly"))
    }
}

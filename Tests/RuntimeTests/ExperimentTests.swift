import Foundation
import Testing

@testable import Cache
@testable import Generator
@testable import Runtime
@testable import VeredictoCore

extension EmbeddedCommandTests {
    /// The threshold and cache experiments over a few hundred questions, no server.
    @Suite struct ExperimentTests {
        static func base(total: Int, arrival: ArrivalProcess) throws -> PipelineRun {
            let questions = try EmbeddedPipelineTests.sampleQuestions()
            var run = PipelineRun(settings: PipelineSettings(), questions: questions, arrival: arrival,
                                  popularity: try Popularity.zipf(count: questions.count, exponent: 1.1), total: total)
            run.seed = 11
            return run
        }

        @Test(.timeLimit(.minutes(5)))
        func higherThresholdsRegenerateMoreOverTheSameStream() async throws {
            let (points, firstScores) = try await ThresholdExperiment.run(try Self.base(total: 300, arrival: .constant(rate: 0)),
                                                                          thresholds: [0.3, 0.65])
            #expect(points.count == 2)
            #expect(!firstScores.isEmpty)
            // The same stream: the first answers do not depend on the threshold.
            #expect(abs(points[0].meanFirstScore - points[1].meanFirstScore) < 1e-9)
            #expect(points[0].regenerationRate < points[1].regenerationRate)
            #expect(points[0].llmCallsPerQuestion < points[1].llmCallsPerQuestion)
            #expect(points[1].firstBelow > 0.5)
            let written = ThresholdExperiment.csv(points, budget: 1.75)
            #expect(ThresholdExperiment.budget(csv: written) == 1.75)
            let parsed = ThresholdExperiment.parse(csv: written)
            #expect(parsed.map(\.threshold) == [0.3, 0.65])
            #expect(parsed[1].llmCallsPerQuestion == points[1].llmCallsPerQuestion)
            for chart in ThresholdExperiment.charts(points) { #expect(chart.pointCount > 0) }
            let text = ThresholdExperiment.suggestion(points, firstScores: firstScores, budget: points[0].callsPerAnswered)
            #expect(text.contains("suggested threshold 0.30"))
            #expect(text.contains("under 0.65"))
        }

        @Test(.timeLimit(.minutes(5)))
        func cacheCombinationsEachGetAPoint() async throws {
            let points = try await CacheExperiment.run(try Self.base(total: 400, arrival: .constant(rate: 2000)),
                                                       policies: [.lru, .fifo], sizes: [16, 512], ttls: [0])
            #expect(points.count == 4)
            #expect(points.allSatisfy { (0...1).contains($0.hitRate) })
            #expect(points.contains { $0.hitRate > 0 })
            #expect(points.map(\.size) == [16, 512, 16, 512])  // grid order
            let parsed = CacheExperiment.parse(csv: CacheExperiment.csv(points))
            #expect(parsed == points)
            let charts = CacheExperiment.charts(points)
            #expect(charts.count == 2)
            #expect(charts[0].series.count == 2)
            for chart in charts { #expect(chart.pointCount == 4) }
        }

        @Test(.timeLimit(.minutes(5)))
        func cacheScenariosCoverBothPopularityLawsAndArrivalProcesses() async throws {
            let base = try Self.base(total: 300, arrival: .constant(rate: 1000))
            let count = base.questions.count
            let scenarios = [CacheExperiment.Scenario(popularity: try .zipf(count: count, exponent: 1.1), arrival: .constant(rate: 1000)),
                             CacheExperiment.Scenario(popularity: try .zipf(count: count, exponent: 1.1), arrival: .poisson(lambda: 1000)),
                             CacheExperiment.Scenario(popularity: .uniform(count: count), arrival: .constant(rate: 1000)),
                             CacheExperiment.Scenario(popularity: .uniform(count: count), arrival: .poisson(lambda: 1000))]
            // Live pace (no speed-up): a repeat hits only once its first answer is decided, and on
            // a busy machine a compressed schedule leaves too few decided in time to compare.
            let points = try await CacheExperiment.run(base, scenarios: scenarios, policies: [.lfu], sizes: [64], ttls: [0],
                                                       speedup: 1, parallel: 2)
            #expect(points.map(\.scenario) == ["zipf:1.1, constant:1000", "zipf:1.1, poisson:1000", "uniform, constant:1000",
                                               "uniform, poisson:1000"])
            #expect(points.allSatisfy { $0.speedup == 1 && $0.offeredPerSecond == 1000 })
            // Zipf concentrates the asks on a few questions: fewer LLM calls per asking than under
            // uniform. The cache starts one chain per question, so this depends on the questions
            // asked, not on the pace: a repeat is a hit, coalesced with the chain in flight, or
            // read from storage. The hit rate alone depends on the pace (a repeat that arrives
            // before its first answer is decided is coalesced, not a hit, and Zipf's repeats come
            // soonest), so on a loaded machine it was seen to put uniform above Zipf.
            #expect(points[0].llmCallsPerQuestion < points[2].llmCallsPerQuestion, "\(points.map(\.llmCallsPerQuestion))")
            #expect(points[1].llmCallsPerQuestion < points[3].llmCallsPerQuestion, "\(points.map(\.llmCallsPerQuestion))")
            #expect(CacheExperiment.parse(csv: CacheExperiment.csv(points)) == points)
            let charts = CacheExperiment.charts(points)
            #expect(charts.count == 8)  // hit rate and p99 per scenario
            for chart in charts { #expect(chart.pointCount == 1) }
        }

        /// The TTL counts in the replayed deployment's time: 4 s of schedule replayed 4 times
        /// faster last 1 s of wall time, in which a 1 s TTL would expire almost nothing on the
        /// wall clock. (A stronger compression leaves a busy machine too little time to decide
        /// first answers before their repeats, and the hit rates stop meaning anything.)
        @Test(.timeLimit(.minutes(5)))
        func cacheTTLCountsInTheReplayedTime() async throws {
            let base = try Self.base(total: 400, arrival: .constant(rate: 100))
            let scenario = CacheExperiment.Scenario(popularity: base.popularity, arrival: base.arrival)
            func measure(ttl: Int) async throws -> PipelineRun.Report {
                try await CacheExperiment.measure(base, scenario: scenario,
                                                  cache: CacheConfiguration(policy: .lru, capacity: 1024, ttlSeconds: ttl),
                                                  mode: .realTime(speedup: 4), prefix: "cache_ttl\(ttl)_").report
            }
            let kept = try await measure(ttl: 0)
            let expiring = try await measure(ttl: 1)
            #expect(kept.completed && expiring.completed)
            // What an expired entry changes, whatever the machine's pace: its question's next
            // asking is answered from storage. With no TTL nothing decided leaves the cache
            // (1,024 entries hold all the sample questions), so no asking is; with 1 s of the
            // replayed time, entries expire within the 4 s schedule. (The hit rate is no measure
            // of it here: a repeat that arrives while its question's chain is in flight is
            // coalesced, not a hit, and a loaded machine moved the hit rate of the run without
            // a TTL by more than the TTL did.)
            #expect(kept.metrics.bySource[.storage, default: 0] == 0, "\(kept.metrics.bySource)")
            #expect(expiring.metrics.bySource[.storage, default: 0] > 0, "\(expiring.metrics.bySource)")
        }

        /// The same on the virtual clock of a simulated run, where the outcome is a function of
        /// the seed: a 1 s TTL expires answers that no TTL keeps, and a second run is identical.
        @Test func cacheTTLOnTheVirtualClockIsReproducible() async throws {
            let base = try Self.base(total: 400, arrival: .constant(rate: 100))
            let first = try await CacheExperiment.run(base, policies: [.lru], sizes: [1024], ttls: [0, 1], seeds: [7, 8],
                                                      mode: .simulated())
            let second = try await CacheExperiment.run(base, policies: [.lru], sizes: [1024], ttls: [0, 1], seeds: [7, 8],
                                                       mode: .simulated())
            #expect(first.count == 2)
            #expect(CacheExperiment.csv(first) == CacheExperiment.csv(second))
            #expect(first[1].hitRate < first[0].hitRate, "\(first.map(\.hitRate))")
        }

        @Test func scheduleClockFollowsTheSendsStretchedBackAndNeverGoesBack() {
            let clock = ScheduleClock(speedup: 10)
            var cache = CacheConfiguration(policy: .lru, capacity: 8, ttlSeconds: 2)
            cache.clock = clock.cacheClock
            #expect(cache == CacheConfiguration(policy: .lru, capacity: 8, ttlSeconds: 2))  // the clock is not a setting
            var answers = cache.makeCache(of: Int.self)
            // The schedule starts at wall time `start`; an asking scheduled at m ms is sent then.
            let start: Int64 = 1_790_000_000_000_000
            func wall(_ milliseconds: Double) -> Timestamp {
                Timestamp(microsecondsSinceEpoch: start + Int64(milliseconds * 1000))
            }
            func send(_ milliseconds: Double) {
                clock.advance(past: [QuestionGenerator.Send(sequence: 0, questionID: "q", traceID: "t",
                                                            scheduledMilliseconds: milliseconds, sentAt: wall(milliseconds))])
            }
            answers.put("a", 1)
            send(150)  // 1.5 s of the replayed schedule, sent but not yet read by the cache
            #expect(clock.now == 0)
            clock.asked(at: wall(150))
            #expect(clock.now == 1500)
            #expect(answers.get("a") == 1)
            send(100)  // an earlier schedule does not move the time back
            clock.asked(at: wall(100))
            #expect(clock.now == 1500)
            // The generator runs ahead: the time follows what the cache has read.
            send(400)
            #expect(clock.now == 1500)
            clock.asked(at: wall(180))
            #expect(clock.now == 1800 && answers.get("a") == 1)
            clock.asked(at: wall(200))
            #expect(answers.get("a") == nil)  // expired after 2 s of replayed time
            // And what the cache reads cannot run ahead of what was sent (a send later than its
            // schedule: the generator fell behind).
            clock.asked(at: wall(900))
            #expect(clock.now == 4000)
            #expect(ArrivalProcess.constant(rate: 2000).compressed(by: 20) == .constant(rate: 40_000))
            #expect(ArrivalProcess.poisson(lambda: 10).compressed(by: 3) == .poisson(lambda: 30))
            #expect(ArrivalProcess.uniform(low: 1, high: 3).compressed(by: 2) == .uniform(low: 0.5, high: 1.5))
        }

        @Test(.timeLimit(.minutes(5)))
        func latencyPercentilesRiseAndRoundTripThroughTheCSV() async throws {
            let outcome = try await LatencyExperiment.run(try Self.base(total: 400, arrival: .poisson(lambda: 2000)))
            #expect(outcome.report.completed)
            let points = outcome.points
            #expect(points.first?.percentile == 0 && points.last?.percentile == 100)
            #expect(points.contains { $0.percentile == 99.9 })
            #expect(zip(points, points.dropFirst()).allSatisfy { $0.milliseconds <= $1.milliseconds })
            #expect(outcome.milliseconds(at: 99.9) <= outcome.milliseconds(at: 100))
            // The histogram keeps three significant digits.
            #expect(abs(outcome.milliseconds(at: 100) - outcome.report.latency.maxMilliseconds) <= outcome.report.latency.maxMilliseconds * 0.002)
            #expect(LatencyExperiment.parse(csv: LatencyExperiment.csv(points)) == points)
            let charts = LatencyExperiment.charts(points)
            #expect(charts.count == 2)
            #expect(charts[0].pointCount == points.count)
            #expect(charts[1].pointCount == points.filter { $0.percentile >= 90 }.count)
        }

        @Test(.timeLimit(.minutes(5)))
        func scaleRunsEveryConfigurationWithItsInstances() async throws {
            let points = try await ScaleExperiment.run(try Self.base(total: 400, arrival: .constant(rate: 0)), partitions: [1, 3],
                                                       instances: [1, 2], backend: { .embedded(partitions: $0) })
            #expect(points.map { "\($0.partitions)x\($0.instances)" } == ["1x1", "1x2", "3x1", "3x2"])
            #expect(points.allSatisfy { $0.questions == 400 && $0.sustainedPerSecond > 0 && $0.overallPerSecond > 0 })
            #expect(ScaleExperiment.parse(csv: ScaleExperiment.csv(points)) == points)
            let charts = ScaleExperiment.charts(points)
            #expect(charts[0].title == "Throughput vs. instances")
            #expect(charts[0].series.map(\.name) == ["1 partition", "3 partitions"])
            for chart in charts { #expect(chart.pointCount == 4) }
        }

        @Test func sustainedRateCountsFromTenToNinetyPercent() {
            let samples: [(seconds: Double, decided: Int)] = [(0.1, 0), (0.5, 50), (1.0, 100), (2.0, 500), (3.0, 900), (9.0, 1000)]
            #expect(ScaleExperiment.sustainedRate(samples, total: 1000) == 800 / 2.0)
            #expect(ScaleExperiment.sustainedRate([(1, 1000)], total: 1000) == nil)
        }
    }
}

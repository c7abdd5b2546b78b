import Testing

@testable import Generator
@testable import Observability
@testable import Runtime
@testable import VeredictoCore

/// What a run measures starts after its warm-up: the hook that says so, and the hop
/// recorder it resets.
@Suite struct RunMeasurementTests {
    @Test func theMeasuredStartComesOnceAfterTheWarmUpAndBeforeTheFirstMeasuredSend() async throws {
        let questions = try EmbeddedPipelineTests.sampleQuestions()
        var run = PipelineRun(settings: PipelineSettings(), questions: questions, arrival: .constant(rate: 0),
                              popularity: try Popularity.zipf(count: questions.count, exponent: 1.1), total: 200)
        run.warmup = 50
        let sent = LockedValue(0)
        let startedAfter = LockedValue<[Int]>([])
        run.onMeasuredStart = { startedAfter.withLock { $0.append(sent.withLock { $0 }) } }
        let outcome = try await run.collect(onSent: { sends in sent.withLock { $0 += sends.count } })
        #expect(startedAfter.withLock { $0 } == [0])
        #expect(sent.withLock { $0 } == 200)
        #expect(outcome.report.latency.count == 200)  // the warm-up's 50 are not measured
        #expect(outcome.report.metrics.asked == 250)
    }

    @Test func hopLatenciesStartOverOnReset() {
        let hops = HopLatencies()
        hops.record(topic: "a", milliseconds: [1, 2, 3])
        hops.record(topic: "b", milliseconds: [])
        #expect(hops.summaries.map(\.topic) == ["a"])
        hops.reset()
        #expect(hops.summaries.isEmpty)
        hops.record(topic: "b", milliseconds: [4])
        #expect(hops.summaries.map(\.topic) == ["b"])
        #expect(hops.summaries.first?.summary.count == 1)
    }

    @Test func theStagesCPUIsPartOfTheProcesssAndEveryStageHasSome() async throws {
        let questions = try EmbeddedPipelineTests.sampleQuestions()
        var run = PipelineRun(settings: PipelineSettings(), questions: questions, arrival: .constant(rate: 0),
                              popularity: try Popularity.zipf(count: questions.count, exponent: 1.1), total: 2000)
        run.warmup = 0
        let report = try await run.collect().report
        let process = try #require(report.processCPUSeconds)
        let stages = report.cpuByStage.map(\.stage)
        #expect(stages == ["cache", "llm", "llm-retry", "score", "store", "generator"])
        for stage in report.cpuByStage where stage.stage != "llm-retry" {
            #expect(stage.seconds > 0, "\(stage.stage) was counted no CPU")
        }
        // Counted on thread clocks inside the process's span: together at most the process's
        // CPU (getrusage rounds to microseconds, whence the tolerance).
        let counted = report.cpuByStage.reduce(0) { $0 + $1.seconds }
        #expect(counted <= process + 0.001)
        let perQuestion = report.cpuMicrosecondsPerQuestionByStage
        #expect(perQuestion.map(\.stage) == stages + ["rest of the process"])
        let sum = perQuestion.reduce(0) { $0 + $1.microseconds }
        #expect(abs(sum - (report.cpuMicrosecondsPerQuestion ?? -1)) < 1.0)
    }
}

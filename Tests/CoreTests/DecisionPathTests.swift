import Testing

@testable import Observability
@testable import Storage
@testable import VeredictoCore

/// Latencies by path: which path a decision took, how many topics that is, and the recorder
/// keeping one distribution per path beside the whole one.
@Suite struct DecisionPathTests {
    @Test func pathsFollowTheSourceAndTheAttempts() {
        func path(_ source: DecisionSource, attempts: Int) -> DecisionPath {
            ResultLedgerTests.decision("t", question: "q", source: source, attempts: attempts).path
        }
        #expect(path(.cache, attempts: 0) == .cached)
        #expect(path(.storage, attempts: 0) == .cached)
        #expect(path(.score, attempts: 1) == .answered(attempts: 1))
        #expect(path(.score, attempts: 3) == .answered(attempts: 3))
        #expect(path(.failed, attempts: 4) == .failed)
    }

    @Test func topicsCountTheDesignDataFlow() {
        // questions_in -> cache -> validated_responses
        #expect(DecisionPath.cached.topics == 2)
        // questions_in -> llm_requests -> llm_responses -> validated_responses
        #expect(DecisionPath.answered(attempts: 1).topics == 4)
        // + regeneration_requests -> llm_requests -> llm_responses, twice
        #expect(DecisionPath.answered(attempts: 3).topics == 10)
        #expect(DecisionPath.failed.topics == nil)
        #expect([DecisionPath.failed, .answered(attempts: 2), .cached, .answered(attempts: 1)].sorted()
            == [.cached, .answered(attempts: 1), .answered(attempts: 2), .failed])
        #expect(DecisionPath.answered(attempts: 1).description == "LLM, 1 attempt")
        #expect(DecisionPath.answered(attempts: 3).description == "LLM, 3 attempts")
        #expect(DecisionPath.answered(attempts: 3).descriptionWithTopics == "LLM, 3 attempts, 10 topics")
        #expect(DecisionPath.failed.descriptionWithTopics == "failed")
        #expect(DecisionPath.answered(attempts: 2).label == "llm_2" && DecisionPath.cached.label == "cache")
    }

    /// The histogram keeps three significant digits.
    static func about(_ value: Double, _ expected: Double) -> Bool { abs(value - expected) <= expected * 0.001 + 0.001 }

    @Test func theRecorderKeepsEachPathBesideTheWhole() {
        let recorder = LatencyRecorder()
        recorder.record(milliseconds: [10, 12, 70, 20], paths: [.cached, .cached, .answered(attempts: 3), .answered(attempts: 1)])
        recorder.record(milliseconds: [14], paths: [.cached])
        #expect(recorder.summary.count == 5)
        #expect(Self.about(recorder.summary.maxMilliseconds, 70))
        let byPath = recorder.summaryByPath
        #expect(byPath.map(\.path) == [.cached, .answered(attempts: 1), .answered(attempts: 3)])
        #expect(byPath.map(\.summary.count) == [3, 1, 1])
        #expect(Self.about(byPath[0].summary.maxMilliseconds, 14))
        #expect(Self.about(byPath[0].summary.p50Milliseconds, 12))
        #expect(Self.about(byPath[2].summary.p50Milliseconds, 70))
    }

    @Test func theLedgerGivesAPathForEveryLatency() async throws {
        let store = InMemoryResultStore(clock: { 1_300 })
        let outcome = try await store.apply([
            ResultLedgerTests.decision("t1", question: "q1", attempts: 2),
            ResultLedgerTests.decision("t2", question: "q1", source: .cache, attempts: 0),
            ResultLedgerTests.decision("t1", question: "q1", attempts: 2),  // redelivered: skipped
        ])
        #expect(outcome.latencies == [300, 300])
        #expect(outcome.paths == [.answered(attempts: 2), .cached])
    }
}

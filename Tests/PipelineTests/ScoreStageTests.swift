import Testing

@testable import Services

/// The score stage's decisions within one batch: the batch is scored in one call, but its
/// messages are decided in order, as if they had come one by one.
@Suite struct ScoreStageTests {
    static let topics = PipelineTopics(prefix: "t_")
    static let best = "Give it at least six hours of sun and water when the top of the soil is dry."
    static let poor = "Bananas are a yellow tropical fruit, rich in potassium."

    static func stage() throws -> ScoreStage {
        try ScoreStage(topics: topics, threshold: 0.65, maxRetries: 3, model: nil)
    }

    static func response(trace: String, attempts: Int, answer: String) -> LLMResponse {
        LLMResponse(traceID: trace, questionID: "q-\(trace)", title: "Basil", content: "", prompt: "Answer",
                    llmAnswer: answer, bestAnswer: best, latencyMs: 1, attempts: attempts, createdAt: .now())
    }

    struct Outputs {
        var decisions: [ValidatedResponse] = []
        var regenerations: [RegenerationRequest] = []
    }

    static func outputs(_ messages: [OutboundMessage]) throws -> Outputs {
        var outputs = Outputs()
        for message in messages {
            switch topics.topic(named: message.topic) {
            case .validatedResponses: outputs.decisions.append(try ValidatedResponse.decode(message.value))
            case .regenerationRequests: outputs.regenerations.append(try RegenerationRequest.decode(message.value))
            default: Issue.record("unexpected output on \(message.topic)")
            }
        }
        return outputs
    }

    @Test func olderAttemptAfterANewerOneInTheSameBatchIsDropped() async throws {
        let stage = try Self.stage()
        let out = try Self.outputs(await stage.handle([
            Self.response(trace: "a", attempts: 2, answer: Self.poor),
            Self.response(trace: "a", attempts: 1, answer: Self.best),
        ]))
        #expect(out.regenerations.map(\.attempts) == [2] && out.decisions.isEmpty)
        #expect(await stage.dropped == 1)
    }

    @Test func nothingAfterTheDecisionInTheSameBatchIsScored() async throws {
        let stage = try Self.stage()
        let out = try Self.outputs(await stage.handle([
            Self.response(trace: "b", attempts: 1, answer: Self.best),
            Self.response(trace: "b", attempts: 2, answer: Self.best),
            Self.response(trace: "b", attempts: 1, answer: Self.best),
        ]))
        #expect(out.decisions.map(\.attempts) == [1] && out.regenerations.isEmpty)
        let (dropped, accepted) = (await stage.dropped, await stage.accepted)
        #expect(dropped == 2 && accepted == 1)
    }

    @Test func duplicateInTheSameBatchIsScoredOnce() async throws {
        let stage = try Self.stage()
        let response = Self.response(trace: "c", attempts: 1, answer: Self.poor)
        let out = try Self.outputs(await stage.handle([response, response]))
        #expect(out.regenerations.count == 1 && out.decisions.isEmpty)
        let (dropped, regenerated) = (await stage.dropped, await stage.regenerated)
        #expect(dropped == 1 && regenerated == 1)
    }

    @Test func nextAttemptInTheSameBatchIsScored() async throws {
        let stage = try Self.stage()
        let out = try Self.outputs(await stage.handle([
            Self.response(trace: "d", attempts: 1, answer: Self.poor),
            Self.response(trace: "d", attempts: 2, answer: Self.best),
        ]))
        #expect(out.regenerations.map(\.attempts) == [1] && out.decisions.map(\.attempts) == [2])
        let decision = try #require(out.decisions.first)
        #expect(decision.firstScore == out.regenerations.first?.previousScore)
        #expect(await stage.dropped == 0)
    }
}

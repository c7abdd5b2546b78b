import Foundation
import Testing

@testable import Stages
@testable import Transport
@testable import VeredictoCore

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

    @Test func acceptedSaysWhetherTheScoreReachedTheThreshold() async throws {
        let stage = try Self.stage()
        let out = try Self.outputs(await stage.handle([
            Self.response(trace: "e", attempts: 1, answer: Self.best),
            Self.response(trace: "f", attempts: 3, answer: Self.poor),
        ]))
        let accepted = try #require(out.decisions.first { $0.traceID == "e" })
        let forced = try #require(out.decisions.first { $0.traceID == "f" })
        #expect(accepted.status == .accepted && accepted.accepted)
        #expect(forced.status == .forced && !forced.accepted && forced.score < 0.65)
        // A reader of the original fields (no status) makes the same of it.
        #expect(try ValidatedResponse.decode(Self.strip("status", from: forced.jsonBytes)).status == .forced)

        // The cache service serves a stored answer with the status it was decided with.
        let question = QuestionMessage(questionID: "g", title: "Basil", content: "", bestAnswer: Self.best)
        #expect(!CacheStage.response(question, answer: Self.poor, score: 0.2, status: .forced, source: .cache).accepted)
        #expect(CacheStage.response(question, answer: Self.best, score: 1, status: .accepted, source: .storage).accepted)
    }

    static func strip(_ field: String, from json: [UInt8]) -> [UInt8] {
        let text = String(decoding: json, as: UTF8.self)
        guard let range = text.range(of: #","\#(field)":"[a-z]+""#, options: .regularExpression) else { return json }
        return Array(text.replacingCharacters(in: range, with: "").utf8)
    }
}

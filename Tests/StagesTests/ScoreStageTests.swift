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
    static let fair = "Basil needs sun: water the soil when it is dry."

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
        // The two texts have no word in common: the pair cosine is exactly 0.
        #expect(forced.status == .forced && !forced.accepted && forced.score == 0)
        // A reader of the original fields (no status) makes the same of it.
        #expect(try ValidatedResponse.decode(Self.strip("status", from: forced.jsonBytes)).status == .forced)

        // The cache service serves a stored answer with the status it was decided with.
        let question = QuestionMessage(questionID: "g", title: "Basil", content: "", bestAnswer: Self.best)
        func served(_ answer: String, _ score: Double, _ status: ResultStatus, _ source: DecisionSource) throws
            -> ValidatedResponse {
            try ValidatedResponse.decode(ValidatedResponse.servedJSON(
                answering: AskedQuestion(question), llmAnswer: JSONEncodedString(answer), score: score, status: status, source: source))
        }
        #expect(try !served(Self.poor, 0.2, .forced, .cache).accepted)
        #expect(try served(Self.best, 1, .accepted, .storage).accepted)
    }

    @Test func aScoreExactlyAtTheThresholdIsAccepted() async throws {
        // The pair's own score as the threshold: `>=` accepts it, the next double above does not.
        let probe = try Self.stage()
        let scored = try Self.outputs(await probe.handle([Self.response(trace: "p", attempts: 1, answer: Self.fair)]))
        let score = try #require(scored.regenerations.first?.previousScore)
        #expect(score > 0 && score < 0.65)
        let atThreshold = try ScoreStage(topics: Self.topics, threshold: score, maxRetries: 3, model: nil)
        let accepted = try Self.outputs(await atThreshold.handle([Self.response(trace: "h", attempts: 1, answer: Self.fair)]))
        #expect(accepted.decisions.map(\.status) == [.accepted] && accepted.decisions.first?.score == score)
        let above = try ScoreStage(topics: Self.topics, threshold: score.nextUp, maxRetries: 3, model: nil)
        let regenerated = try Self.outputs(await above.handle([Self.response(trace: "i", attempts: 1, answer: Self.fair)]))
        #expect(regenerated.decisions.isEmpty && regenerated.regenerations.map(\.attempts) == [1])
    }

    @Test func attemptsAboveTheCapAfterARestartAreAForcedAccept() async throws {
        // A new instance (no state) reads attempts past MAX_RETRIES (written under a larger
        // cap, or regenerated twice after a lost state): decided at once, never regenerated.
        let restarted = try Self.stage()
        let out = try Self.outputs(await restarted.handle([
            Self.response(trace: "j", attempts: 5, answer: Self.poor),
            Self.response(trace: "k", attempts: 4, answer: Self.best),
        ]))
        #expect(out.regenerations.isEmpty)
        let forced = try #require(out.decisions.first { $0.traceID == "j" })
        #expect(forced.status == .forced && forced.attempts == 5 && forced.llmCalls == 5)
        let accepted = try #require(out.decisions.first { $0.traceID == "k" })
        #expect(accepted.status == .accepted && accepted.attempts == 4)
        let (forcedCount, acceptedCount) = (await restarted.forced, await restarted.accepted)
        #expect(forcedCount == 1 && acceptedCount == 1)
    }

    static func strip(_ field: String, from json: [UInt8]) -> [UInt8] {
        let text = String(decoding: json, as: UTF8.self)
        guard let range = text.range(of: #","\#(field)":"[a-z]+""#, options: .regularExpression) else { return json }
        return Array(text.replacingCharacters(in: range, with: "").utf8)
    }
}

import Foundation
import Stages
import VeredictoCore
import Testing

/// The score service alone over the real broker: accept, regenerate, force, and drop
/// duplicates and stale attempts.
@Suite(.timeLimit(.minutes(5))) struct ScoreServiceTests {
    static let maxRetries = 3

    /// The pair score of `Samples.poorAnswer` against `Samples.bestAnswer`, worked out by hand as
    /// scikit-learn's `TfidfVectorizer().fit([best, poor])` + cosine would: the texts share one
    /// word ("and", idf 1); every other word has idf w = 1 + ln(3/2). The best answer has "the"
    /// 4 times, "of" twice and 21 other words once; the poor one 11 other words once. So the dot
    /// product is 1 and the norms are sqrt(41 w² + 1) and sqrt(11 w² + 1).
    static var poorAnswerScore: Double {
        let w = 1 + log(1.5)
        return 1 / ((41 * w * w + 1) * (11 * w * w + 1)).squareRoot()
    }

    static func scoreStage(_ harness: ServiceHarness) throws -> ScoreStage {
        try ScoreStage(topics: harness.topics, threshold: 0.65, maxRetries: maxRetries, model: nil)
    }

    @Test func answerEqualToTheBestAnswerIsAccepted() async throws {
        try await ServiceHarness.run("score-accept") { harness in
            let reader = try await harness.reader(.validatedResponses, .regenerationRequests)
            try await harness.start(try Self.scoreStage(harness))
            let trace = Samples.uniqueID("trace")
            let created = Timestamp.now().advanced(byMilliseconds: -800)
            let response = Samples.response(Samples.uniqueID("q"), trace: trace, attempts: 1, answer: Samples.bestAnswer,
                                            createdAt: created)
            try await harness.publish(response)

            let decision = try await reader.first(ValidatedResponse.self, trace: trace)
            #expect(decision.messageID == "v-" + trace)
            #expect(decision.source == .score && decision.status == .accepted && decision.accepted)
            #expect(abs(decision.score - 1) < 1e-9 && decision.firstScore.map { abs($0 - 1) < 1e-9 } == true)
            #expect(decision.attempts == 1 && decision.llmCalls == 1 && decision.createdAt == created)
            #expect(decision.llmAnswer == Samples.bestAnswer && decision.questionID == response.questionID)
            #expect(reader.records(on: .regenerationRequests).isEmpty)
        }
    }

    @Test func poorAnswerIsRegeneratedThenForcedAtTheAttemptCap() async throws {
        try await ServiceHarness.run("score-poor") { harness in
            let reader = try await harness.reader(.validatedResponses, .regenerationRequests)
            let stage = try Self.scoreStage(harness)
            try await harness.start(stage)
            let early = Samples.response(Samples.uniqueID("q"), trace: Samples.uniqueID("trace"), attempts: 1,
                                         answer: Samples.poorAnswer)
            let last = Samples.response(Samples.uniqueID("q"), trace: Samples.uniqueID("trace"),
                                        attempts: Self.maxRetries, answer: Samples.poorAnswer, firstScore: 0.12)
            try await harness.publish(early, last)

            let regeneration = try await reader.first(RegenerationRequest.self, trace: early.traceID)
            #expect(regeneration.attempts == 1 && regeneration.questionID == early.questionID)
            #expect(regeneration.prompt == early.prompt && regeneration.bestAnswer == early.bestAnswer)
            #expect(regeneration.createdAt == early.createdAt)
            let score = try #require(regeneration.previousScore)
            #expect(abs(score - Self.poorAnswerScore) < 1e-9, "\(score)")
            #expect(regeneration.firstScore == score)
            #expect(try reader.messages(ValidatedResponse.self, trace: early.traceID).isEmpty)

            let forced = try await reader.first(ValidatedResponse.self, trace: last.traceID)
            #expect(forced.status == .forced && forced.source == .score && !forced.accepted)
            #expect(abs(forced.score - Self.poorAnswerScore) < 1e-9 && forced.attempts == Self.maxRetries && forced.llmCalls == Self.maxRetries)
            #expect(forced.firstScore == 0.12 && forced.messageID == "v-" + last.traceID)
            #expect(forced.llmAnswer == Samples.poorAnswer)
            #expect(try reader.messages(RegenerationRequest.self, trace: last.traceID).isEmpty)
            let (forcedCount, regenerated) = (await stage.forced, await stage.regenerated)
            #expect(forcedCount == 1 && regenerated == 1)
        }
    }

    @Test func sameResponseTwiceIsScoredOnce() async throws {
        try await ServiceHarness.run("score-duplicate") { harness in
            let reader = try await harness.reader(.validatedResponses, .regenerationRequests)
            let stage = try Self.scoreStage(harness)
            let running = try await harness.start(stage)
            let together = Samples.response(Samples.uniqueID("q"), trace: Samples.uniqueID("trace"), attempts: 1,
                                            answer: Samples.poorAnswer)
            let apart = Samples.response(Samples.uniqueID("q"), trace: Samples.uniqueID("trace"), attempts: 1,
                                         answer: Samples.bestAnswer)
            // One pair in one send (likely one batch), the other redelivered after the first was handled.
            try await harness.publish(together, together, apart)
            try await running.waitUntilConsumed(3)
            try await harness.publish(apart)
            // Everything the stage produced is acknowledged by now: read exactly that much.
            let counters = try await running.waitUntilConsumed(4)
            #expect(counters.produced == 2)
            try await reader.read(until: "\(counters.produced) outputs") { $0.records.count >= counters.produced }

            #expect(try reader.messages(RegenerationRequest.self, trace: together.traceID).count == 1)
            #expect(try reader.messages(ValidatedResponse.self, trace: together.traceID).isEmpty)
            #expect(try reader.messages(ValidatedResponse.self, trace: apart.traceID).count == 1)
            #expect(try reader.messages(RegenerationRequest.self, trace: apart.traceID).isEmpty)
            #expect(await stage.dropped == 2)
        }
    }

    @Test func olderAttemptAfterANewerOneIsDropped() async throws {
        try await ServiceHarness.run("score-stale") { harness in
            let reader = try await harness.reader(.validatedResponses, .regenerationRequests)
            let stage = try Self.scoreStage(harness)
            let running = try await harness.start(stage)
            let questionID = Samples.uniqueID("q")
            let together = Samples.uniqueID("trace")
            let apart = Samples.uniqueID("trace")
            // Same trace, same key, same partition: attempt 2 is read before attempt 1.
            try await harness.publish(
                Samples.response(questionID, trace: together, attempts: 2, answer: Samples.poorAnswer, firstScore: 0.1),
                Samples.response(questionID, trace: together, attempts: 1, answer: Samples.poorAnswer),
                Samples.response(questionID, trace: apart, attempts: 2, answer: Samples.poorAnswer, firstScore: 0.1))
            try await running.waitUntilConsumed(3)
            try await harness.publish(Samples.response(questionID, trace: apart, attempts: 1, answer: Samples.bestAnswer))
            // Everything the stage produced is acknowledged by now: read exactly that much.
            let counters = try await running.waitUntilConsumed(4)
            #expect(counters.produced == 2)
            try await reader.read(until: "\(counters.produced) outputs") { $0.records.count >= counters.produced }

            for trace in [together, apart] {
                let regenerations = try reader.messages(RegenerationRequest.self, trace: trace)
                #expect(regenerations.map(\.attempts) == [2], "trace \(trace)")
                #expect(try reader.messages(ValidatedResponse.self, trace: trace).isEmpty, "trace \(trace)")
            }
            #expect(await stage.dropped == 2)
        }
    }
}

import Testing

@testable import Stages
@testable import Transport
@testable import VeredictoCore

/// The llm_errors consumer's choices for one batch, without a broker.
@Suite struct LLMRetryStageTests {
    static let topics = PipelineTopics(prefix: "t_")

    static func error(_ trace: String, retries: Int, dueIn milliseconds: Int64) -> ErrorMessage {
        ErrorMessage(traceID: trace, questionID: "q-\(trace)", errorType: "quota", errorDetail: "HTTP 429", attempts: 1,
                     retryAt: Timestamp.now().advanced(byMilliseconds: milliseconds), retries: retries, title: "Basil",
                     content: "", prompt: "Answer", bestAnswer: "Sun and water.", createdAt: .now(), firstScore: nil)
    }

    @Test func aRequestDueLaterThanTheLongestWaitGoesBackOntoLLMErrorsUnchanged() async throws {
        let stage = LLMRetryStage(topics: Self.topics, maxRetries: 3, maximumWait: .milliseconds(20))
        let late = Self.error("late", retries: 1, dueIn: 3_600_000)
        let due = Self.error("due", retries: 1, dueIn: 0)
        let out = try await stage.handle([late, due])
        #expect(out.map(\.topic).sorted() == [Self.topics.name(.llmErrors), Self.topics.name(.llmRequests)])
        let back = try ErrorMessage.decode(try #require(out.first { $0.topic == Self.topics.name(.llmErrors) }).value)
        #expect(back.messageID == late.messageID && back.traceID == late.traceID)
        #expect(back.retries == late.retries && back.retryAt == late.retryAt && back.attempts == late.attempts)
        let reissued = try LLMRequest.decode(try #require(out.first { $0.topic == Self.topics.name(.llmRequests) }).value)
        #expect(reissued.traceID == due.traceID && reissued.retries == 2)
    }
}

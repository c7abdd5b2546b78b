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
        // Ten minutes: later than the batch may wait, within the 15-minute bound on retry_at.
        let late = Self.error("late", retries: 1, dueIn: 600_000)
        let due = Self.error("due", retries: 1, dueIn: 0)
        let out = try await stage.handle([late, due])
        #expect(out.map(\.topic).sorted() == [Self.topics.name(.llmErrors), Self.topics.name(.llmRequests)])
        let back = try ErrorMessage.decode(try #require(out.first { $0.topic == Self.topics.name(.llmErrors) }).value)
        #expect(back.messageID == late.messageID && back.traceID == late.traceID)
        #expect(back.retries == late.retries && back.retryAt == late.retryAt && back.attempts == late.attempts)
        let reissued = try LLMRequest.decode(try #require(out.first { $0.topic == Self.topics.name(.llmRequests) }).value)
        #expect(reissued.traceID == due.traceID && reissued.retries == 2)
    }

    /// The consumer of `llm_errors` never lets a request circulate for longer than its bound,
    /// whatever `retry_at` a server or a forged message says.
    static func error(retryAt: Timestamp) -> ErrorMessage {
        ErrorMessage(traceID: "t1", questionID: "q1", errorType: "quota", errorDetail: "HTTP 429", attempts: 1,
                     retryAt: retryAt, title: "T", content: "C", prompt: "P", bestAnswer: "B", createdAt: .now())
    }

    @Test func aFarRetryAtIsBroughtForwardAndReissued() async throws {
        let stage = LLMRetryStage(topics: PipelineTopics(), maxRetries: 3, maximumWait: .milliseconds(10),
                                  maximumDelay: .milliseconds(50))
        let far = try #require(Timestamp(iso8601: "2099-12-31T00:00:00Z"))
        // First read: due later than the batch may wait, so it goes back, due within the bound.
        let before = Timestamp.now()
        let first = try await stage.handle([Self.error(retryAt: far)])
        #expect(first.count == 1 && first[0].topic == "llm_errors")
        let again = try ErrorMessage.decode(first[0].value)
        #expect(again.retryAt <= Timestamp.now().advanced(byMilliseconds: 50))
        #expect(again.retryAt >= before)
        // Read again once due: re-issued.
        var outputs = try await stage.handle([again])
        for _ in 0..<100 where outputs.first?.topic == "llm_errors" {
            outputs = try await stage.handle([try ErrorMessage.decode(outputs[0].value)])
        }
        #expect(outputs.first?.topic == "llm_requests")
        #expect(try LLMRequest.decode(outputs[0].value).retries == 1)
    }
}

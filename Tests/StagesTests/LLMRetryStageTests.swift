import Testing

@testable import Stages
@testable import Transport
@testable import VeredictoCore

/// The consumer of `llm_errors` never lets a request circulate for longer than its bound,
/// whatever `retry_at` a server or a forged message says.
@Suite struct LLMRetryStageTests {
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

import Testing

@testable import LLM
@testable import Stages
@testable import Transport
@testable import VeredictoCore

/// A request re-issued from `llm_errors` is a later call: the LLM stage tells the model which
/// re-issue it is, and the offline model draws its error and latency afresh for it, as a real
/// model's outcome would differ, instead of repeating the first issue's failing draws.
@Suite struct LLMReissueDrawTests {
    /// Records the requests it is asked and answers them.
    final class RecordingBackend: LLMBackend {
        let seen = LockedValue<[LLMCompletionRequest]>([])
        func complete(_ request: LLMCompletionRequest) async throws -> LLMCompletion {
            seen.withLock { $0.append(request) }
            return LLMCompletion(text: "answer", latency: .zero, model: "recording")
        }
        func describe() -> String { "recording" }
    }

    @Test func theStagePassesTheRequestsReissueToTheModel() async throws {
        let backend = RecordingBackend()
        let stage = LLMStage(topics: PipelineTopics(), backend: backend, retry: RetryPolicy(maxRetries: 0), concurrency: 1)
        let request = LLMRequest(traceID: "t", questionID: "q", title: "T", content: "", prompt: "P", bestAnswer: "B",
                                 attempts: 2, createdAt: .now(), retries: 3)
        _ = try await stage.handle([request])
        #expect(backend.seen.withLock { $0.map(\.reissue) } == [3])
    }

    @Test func theOfflineModelDrawsAfreshForEachReissue() {
        let model = OfflineLLM(seed: 7, overloadRate: 0.5)
        var changed = 0
        for index in 0..<50 {
            let first = LLMCompletionRequest(questionID: "q\(index)", title: "T", content: "", attempt: 1)
            var reissued = first
            reissued.reissue = 1
            let before = model.error(questionID: first.questionID, attempt: 1, retry: OfflineLLM.drawRetry(first)) == nil
            let after = model.error(questionID: first.questionID, attempt: 1, retry: OfflineLLM.drawRetry(reissued)) == nil
            if before != after { changed += 1 }
        }
        // Independent draws at rate 0.5 differ about half the time; the same draw never does.
        #expect(changed > 10)
        // The first issue keeps the draws it always had.
        let plain = LLMCompletionRequest(questionID: "q", title: "T", content: "", attempt: 1, retry: 2)
        #expect(OfflineLLM.drawRetry(plain) == 2)
    }
}

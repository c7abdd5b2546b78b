import LLM
import Stages
import VeredictoCore
import Testing

/// The llm service alone over the real broker: the offline backend's answers, its two error
/// classes on `llm_errors`, and the retry stage that consumes them.
@Suite(.timeLimit(.minutes(5))) struct LLMServiceTests {
    static func request(trace: String = Samples.uniqueID("trace"), attempts: Int, retries: Int = 0,
                        firstScore: Double? = nil) -> LLMRequest {
        LLMRequest(traceID: trace, questionID: Samples.uniqueID("q"), title: Samples.title, content: Samples.content,
                   prompt: Samples.prompt, bestAnswer: Samples.bestAnswer, attempts: attempts,
                   createdAt: Timestamp.now().advanced(byMilliseconds: -2_000), firstScore: firstScore, retries: retries)
    }

    static let fastRetries = RetryPolicy(maxRetries: 1, backoffBase: .milliseconds(1), backoffCap: .milliseconds(2))

    @Test func offlineBackendAnswersEachRequestOfItsTrace() async throws {
        try await ServiceHarness.run("llm-answer") { harness in
            let reader = try await harness.reader(.llmResponses, .llmErrors)
            let backend = OfflineLLM(seed: 7)
            let counters = LLMCounters()
            try await harness.start(LLMStage(topics: harness.topics, backend: backend, retry: .none, concurrency: 4,
                                             counters: counters))
            let requests = [Self.request(attempts: 1), Self.request(attempts: 2, firstScore: 0.3),
                            Self.request(attempts: 3, firstScore: 0.5)]
            try await harness.publish(requests)

            for request in requests {
                let response = try await reader.first(LLMResponse.self, trace: request.traceID)
                #expect(response.attempts == request.attempts && response.questionID == request.questionID)
                #expect(response.prompt == request.prompt && response.bestAnswer == request.bestAnswer)
                #expect(response.createdAt == request.createdAt && response.firstScore == request.firstScore)
                #expect(response.messageID != request.messageID && response.latencyMs >= 0)
                // The offline model is deterministic in (question, attempt, seed).
                let expected = backend.answer(to: LLMCompletionRequest(
                    questionID: request.questionID, title: request.title, content: request.content, prompt: request.prompt,
                    attempt: request.attempts, referenceAnswer: request.bestAnswer))
                #expect(!response.llmAnswer.isEmpty && response.llmAnswer == expected)
            }
            #expect(reader.records(on: .llmErrors).isEmpty)
            #expect(counters.snapshot.calls == 3 && counters.snapshot.successes == 3)
        }
    }

    @Test func overloadThatOutlastsTheRetriesInPlaceGoesToLLMErrors() async throws {
        try await ServiceHarness.run("llm-overload") { harness in
            let reader = try await harness.reader(.llmResponses, .llmErrors)
            let counters = LLMCounters()
            try await harness.start(LLMStage(topics: harness.topics, backend: OfflineLLM(overloadRate: 1),
                                             retry: Self.fastRetries, concurrency: 4, counters: counters))
            let request = Self.request(attempts: 2, retries: 1, firstScore: 0.25)
            let published = Timestamp.now()
            try await harness.publish(request)

            let error = try await reader.first(ErrorMessage.self, trace: request.traceID)
            #expect(error.errorType == "overload" && !error.errorDetail.isEmpty)
            #expect(error.attempts == 2 && error.retries == 1 && error.questionID == request.questionID)
            #expect(error.title == request.title && error.content == request.content && error.prompt == request.prompt)
            #expect(error.bestAnswer == request.bestAnswer && error.createdAt == request.createdAt)
            #expect(error.firstScore == 0.25)
            // Backoff ceiling 2 ms: the retry is due 2 ms after the error was made, which is no
            // later than produced_at (read from the clock after retry_at) and no earlier than
            // the publication of the request.
            let wait = error.retryAt.milliseconds(since: error.producedAt)
            #expect(wait <= 2, "retry_at \(wait) ms after produced_at")
            #expect(error.retryAt >= published, "retry_at before the request was published")
            #expect(reader.records(on: .llmResponses).isEmpty)
            let snapshot = counters.snapshot
            #expect(snapshot.calls == 2 && snapshot.successes == 0)  // the call and one retry in place
            #expect(snapshot.retriedErrors[.overload] == 1 && snapshot.finalErrors[.overload] == 1)
        }
    }

    @Test func quotaErrorIsRetriedAfterItsRetryAfter() async throws {
        try await ServiceHarness.run("llm-quota") { harness in
            let reader = try await harness.reader(.llmResponses, .llmErrors)
            let retryAfter = 2_000
            let backend = OfflineLLM(quotaRate: 1, quotaRetryAfter: .milliseconds(retryAfter))
            try await harness.start(LLMStage(topics: harness.topics, backend: backend, retry: Self.fastRetries,
                                             concurrency: 4))
            let request = Self.request(attempts: 1)
            let published = Timestamp.now()
            try await harness.publish(request)

            let error = try await reader.first(ErrorMessage.self, trace: request.traceID)
            #expect(error.errorType == "quota" && error.attempts == 1 && error.retries == 0)
            // One retry in place after Retry-After, then the next one is scheduled Retry-After ahead.
            #expect(error.producedAt.milliseconds(since: published) >= Int64(retryAfter) - 50)
            let wait = error.retryAt.milliseconds(since: error.producedAt)
            #expect(abs(wait - Int64(retryAfter)) <= 250, "retry_at \(wait) ms after produced_at")
            #expect(reader.records(on: .llmResponses).isEmpty)
        }
    }

    @Test func retryStageReissuesDueErrorsAndFailsThosePastTheBound() async throws {
        try await ServiceHarness.run("llm-retry") { harness in
            let reader = try await harness.reader(.llmRequests, .validatedResponses)
            let maxRetries = 2
            try await harness.start(LLMRetryStage(topics: harness.topics, maxRetries: maxRetries))
            let created = Timestamp.now().advanced(byMilliseconds: -3_000)
            func error(retries: Int, attempts: Int, dueIn milliseconds: Int64, type: String = "overload") -> ErrorMessage {
                ErrorMessage(traceID: Samples.uniqueID("trace"), questionID: Samples.uniqueID("q"), errorType: type,
                             errorDetail: "HTTP 503", attempts: attempts,
                             retryAt: Timestamp.now().advanced(byMilliseconds: milliseconds), retries: retries,
                             title: Samples.title, content: Samples.content, prompt: Samples.prompt,
                             bestAnswer: Samples.bestAnswer, createdAt: created, firstScore: 0.2)
            }
            let due = error(retries: 1, attempts: 2, dueIn: 1_500)
            let spent = error(retries: maxRetries, attempts: 3, dueIn: 0)
            let refused = error(retries: 0, attempts: 1, dueIn: 0, type: "client")
            try await harness.publish(due, spent, refused)

            let reissued = try await reader.first(LLMRequest.self, trace: due.traceID)
            #expect(reissued.retries == 2 && reissued.attempts == 2)
            #expect(reissued.questionID == due.questionID && reissued.prompt == due.prompt)
            #expect(reissued.bestAnswer == due.bestAnswer && reissued.createdAt == created && reissued.firstScore == 0.2)
            let arrival = try #require(reader.records(on: .llmRequests).first { $0.key == due.questionID })
            #expect(arrival.readAt >= due.retryAt, "re-issued \(due.retryAt.milliseconds(since: arrival.readAt)) ms early")

            for failed in [spent, refused] {
                let decision = try await reader.first(ValidatedResponse.self, trace: failed.traceID)
                #expect(decision.source == .failed && decision.status == .failed && !decision.accepted)
                #expect(decision.messageID == "v-" + failed.traceID && decision.llmAnswer == "")
                #expect(decision.attempts == failed.attempts && decision.score == 0)
                #expect(decision.questionID == failed.questionID && decision.createdAt == created)
            }
            #expect(try reader.messages(LLMRequest.self, trace: spent.traceID).isEmpty)
            #expect(try reader.messages(LLMRequest.self, trace: refused.traceID).isEmpty)
        }
    }
}

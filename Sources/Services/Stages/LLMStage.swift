import Observability
import LLM
import Transport
import VeredictoCore
/// The LLM service: answers each request with the configured backend, retrying in place
/// (exponential backoff with jitter for overload, Retry-After for quota). When the in-place
/// retries are spent it publishes an `ErrorMessage` to `llm_errors` with the time a retry is
/// due, for `LLMRetryStage`. Requests of a batch run concurrently, up to `concurrency`.
public struct LLMStage: PipelineStage {
    public let name = "llm"
    public let inputTopics: [String]
    let topics: PipelineTopics
    let backend: any LLMBackend
    let retry: RetryPolicy
    let concurrency: Int
    let counters: LLMCounters
    let prices: LLMPrices

    public init(topics: PipelineTopics, backend: any LLMBackend, retry: RetryPolicy, concurrency: Int,
                counters: LLMCounters = LLMCounters(), prices: LLMPrices = LLMPrices()) {
        self.prices = prices
        self.topics = topics
        self.inputTopics = [topics.name(.llmRequests)]
        self.backend = backend
        self.retry = retry
        self.concurrency = max(1, concurrency)
        self.counters = counters
    }

    public static func decode(_ raw: RawMessage) -> Inbound<LLMRequest> {
        do { return .message(try LLMRequest.decode(raw.value)) } catch {
            return .invalid(InvalidMessage(raw, reason: "\(error)"))
        }
    }

    public func handle(_ inputs: [LLMRequest]) async throws -> [OutboundMessage] {
        // One request, or one at a time: answered here, without the child tasks of a group.
        if inputs.count == 1 || concurrency == 1 {
            var out: [OutboundMessage] = []
            out.reserveCapacity(inputs.count)
            for request in inputs { out.append(try await answer(request)) }
            return out
        }
        var results = [OutboundMessage?](repeating: nil, count: inputs.count)
        try await withThrowingTaskGroup(of: (Int, OutboundMessage).self) { group in
            var next = 0
            func launch() {
                let index = next
                let request = inputs[index]
                next += 1
                group.addTask { (index, try await answer(request)) }
            }
            while next < min(concurrency, inputs.count) { launch() }
            while let (index, message) = try await group.next() {
                results[index] = message
                if next < inputs.count { launch() }
            }
        }
        return results.compactMap { $0 }
    }

    /// The response to one request, or the error message that schedules its retry.
    func answer(_ request: LLMRequest) async throws -> OutboundMessage {
        let completionRequest = LLMCompletionRequest(
            questionID: request.questionID, title: request.title, content: request.content, prompt: request.prompt,
            attempt: max(1, request.attempts), referenceAnswer: request.bestAnswer, reissue: max(0, request.retries))
        do {
            let completion = try await withRetries(retry, onRetry: { error, _, _ in counters.record(error, retried: true) }) { attempt in
                counters.recordCall()
                return try await backend.complete(completionRequest.retrying(attempt))
            }
            counters.recordSuccess(completion.usage)
            return LLMResponse(answering: request, llmAnswer: completion.text, latencyMs: completion.latencyMilliseconds,
                               usage: completion.usage)
                .outbound(topics, key: request.questionID)
        } catch let error as LLMError {
            counters.record(error, retried: false)
            let wait: Duration
            switch error {
            case .quota(let retryAfter, _): wait = retryAfter ?? retry.quotaWindow
            default: wait = retry.backoffCeiling(retry: retry.maxRetries + 1 + request.retries)
            }
            let waitMilliseconds = wait.wholeMilliseconds
            return ErrorMessage(failing: request, kind: error.kind, detail: SecretScrubber.scrub(error.detail),
                                retryAt: Timestamp.now().advanced(byMilliseconds: waitMilliseconds))
                .outbound(topics, key: request.questionID)
        }
    }
}

extension LLMStage {
    public func declareMetrics(in registry: MetricsRegistry) {
        registry.declare(ServiceMetricNames.llmCalls, .counter, help: "Calls of the LLM backend.")
        registry.declare(ServiceMetricNames.llmSuccesses, .counter, help: "Successful calls of the LLM backend.")
        registry.declare(ServiceMetricNames.llmTokens, .counter,
                         help: "Tokens of successful LLM calls by kind (prompt, completion); estimated=true when counted from text.")
        registry.declare(ServiceMetricNames.llmCost, .counter,
                         help: "Price of the tokens at LLM_PRICE_PROMPT_PER_1K and LLM_PRICE_COMPLETION_PER_1K.")
        registry.declare(ServiceMetricNames.llmErrors, .counter,
                         help: "LLM errors by type (overload, quota, ...); outcome retried in place or final.")
    }

    public func reportMetrics(to registry: MetricsRegistry) async {
        let llm = counters.snapshot
        registry.setCounter(ServiceMetricNames.llmCalls, to: Double(llm.calls))
        registry.setCounter(ServiceMetricNames.llmSuccesses, to: Double(llm.successes))
        let estimated = ["estimated": llm.tokensEstimated ? "true" : "false"]
        registry.setCounter(ServiceMetricNames.llmTokens, labels: estimated.merging(["kind": "prompt"]) { $1 },
                            to: Double(llm.promptTokens))
        registry.setCounter(ServiceMetricNames.llmTokens, labels: estimated.merging(["kind": "completion"]) { $1 },
                            to: Double(llm.completionTokens))
        registry.setCounter(ServiceMetricNames.llmCost, labels: estimated, to: llm.cost(at: prices))
        for (kind, count) in llm.retriedErrors {
            registry.setCounter(ServiceMetricNames.llmErrors, labels: ["type": kind.rawValue, "outcome": "retried"], to: Double(count))
        }
        for (kind, count) in llm.finalErrors {
            registry.setCounter(ServiceMetricNames.llmErrors, labels: ["type": kind.rawValue, "outcome": "final"], to: Double(count))
        }
    }
}

import Foundation
import Testing

@testable import LLM
@testable import Stages
import Observability
@testable import Transport
@testable import VeredictoCore

/// Tokens and cost: the server's `usage` when an OpenAI-compatible server reports it, an
/// estimate from the text (marked) when it does not and for the offline model; the LLM stage
/// adds them up and prices them.
@Suite struct LLMTokenAccountingTests {
    static let withUsage = """
        {"choices":[{"message":{"content":"Water boils at 100 degrees."},"finish_reason":"stop"}],\
        "usage":{"prompt_tokens":1234,"completion_tokens":567,"total_tokens":1801}}
        """
    static let withoutUsage = #"{"choices":[{"message":{"content":"Twelve bytes"},"finish_reason":"stop"}]}"#

    static func startServer() throws -> LocalHTTPServer {
        try LocalHTTPServer { request in
            request.path.hasPrefix("/usage/") ? .init(status: 200, body: withUsage) : .init(status: 200, body: withoutUsage)
        }
    }

    static func client(_ server: LocalHTTPServer, _ scenario: String) -> OpenAICompatibleLLM {
        OpenAICompatibleLLM(baseURL: server.url("/\(scenario)/v1"), model: "tiny", apiKey: APIKey(""), temperature: 0,
                            maxTokens: nil, systemPrompt: "Be brief.", timeout: .seconds(10), maxConcurrency: 2)
    }

    static func request(_ id: String, retries: Int = 0) -> LLMRequest {
        LLMRequest(traceID: "t-\(id)", questionID: id, title: "Why does water boil?", content: "", prompt: "Why does water boil?",
                   bestAnswer: "At 100 degrees.", attempts: 1, createdAt: .now(), retries: retries)
    }

    @Test func theServersUsageIsCountedAndPriced() async throws {
        let server = try Self.startServer()
        defer { server.stop() }
        let counters = LLMCounters()
        let stage = LLMStage(topics: PipelineTopics(), backend: Self.client(server, "usage"), retry: RetryPolicy(maxRetries: 0),
                             concurrency: 2, counters: counters,
                             prices: LLMPrices(promptPer1K: 0.01, completionPer1K: 0.03))
        _ = try await stage.handle([Self.request("a"), Self.request("b")])
        let totals = counters.snapshot
        #expect(totals.calls == 2 && totals.promptTokens == 2 * 1234 && totals.completionTokens == 2 * 567)
        #expect(!totals.tokensEstimated)
        let cost = totals.cost(at: LLMPrices(promptPer1K: 0.01, completionPer1K: 0.03))
        #expect(abs(cost - (2.468 * 0.01 + 1.134 * 0.03)) < 1e-9)

        let registry = MetricsRegistry()
        stage.declareMetrics(in: registry)
        await stage.reportMetrics(to: registry)
        let exposition = registry.render()
        #expect(exposition.contains(#"veredicto_llm_tokens_total{estimated="false",kind="prompt"} 2468"#), "\(exposition)")
    }

    @Test func withoutUsageTheTokensAreEstimatedAndSaidSo() async throws {
        let server = try Self.startServer()
        defer { server.stop() }
        let completion = try await Self.client(server, "plain").complete(
            LLMCompletionRequest(questionID: "q", title: "T", content: "", attempt: 1))
        #expect(completion.usage.estimated)
        #expect(completion.usage.completionTokens == 3)  // "Twelve bytes": 12 bytes, 4 per token
        let offline = try await OfflineLLM().complete(LLMCompletionRequest(questionID: "q", title: "T", content: "",
                                                                           attempt: 1, referenceAnswer: "Some reference."))
        #expect(offline.usage.estimated && offline.usage.promptTokens > 0 && offline.usage.completionTokens > 0)
    }
}

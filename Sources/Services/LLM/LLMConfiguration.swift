import Foundation
import VeredictoCore

/// The LLM service's settings, from environment variables (one place maps them all).
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `LLM_BACKEND` | `offline` or `openai` | offline |
/// | `LLM_LATENCY_MS` | offline median latency, ms (0 = no delay) | 0 |
/// | `LLM_LATENCY_SIGMA` | offline log-normal sigma (0 = fixed latency) | 0 |
/// | `LLM_OVERLOAD_RATE`, `LLM_QUOTA_RATE` | offline error rates, 0...1, sum <= 1 | 0 |
/// | `LLM_QUOTA_RETRY_AFTER_S` | offline quota errors' Retry-After, s | 1 |
/// | `LLM_SEED` | offline seed | 42 |
/// | `LLM_QUALITY_MEAN` | offline mean answer quality, 0...1 | 0.5 |
/// | `LLM_BASE_URL` | OpenAI-compatible base URL | https://api.openai.com/v1 |
/// | `LLM_MODEL` | model name | gpt-4o-mini |
/// | `LLM_API_KEY` (or `OPENAI_API_KEY`) | bearer key; empty for local servers | none |
/// | `LLM_TEMPERATURE` | sampling temperature, 0...2 | 0.7 |
/// | `LLM_MAX_TOKENS` | answer length limit (0 = the server's) | 0 |
/// | `LLM_SYSTEM_PROMPT` | system message | a short instruction |
/// | `LLM_MAX_CONCURRENCY` | requests in flight at most | 64 |
/// | `LLM_TIMEOUT_S` | request timeout, s | 30 |
/// | `LLM_RETRIES` | in-place retries after the first call | 3 |
/// | `LLM_BACKOFF_BASE_MS`, `LLM_BACKOFF_MAX_MS` | overload backoff base and cap, ms | 100, 10000 |
/// | `LLM_QUOTA_WINDOW_S` | quota wait when no Retry-After is given, s | 60 |
/// | `LLM_MAX_QUOTA_WAIT_S` | longest quota wait spent in place, s | 60 |
/// | `LLM_PRICE_PROMPT_PER_1K`, `LLM_PRICE_COMPLETION_PER_1K` | price per 1,000 tokens | 0.00015, 0.0006 |
public struct LLMConfiguration: Equatable, Sendable, CustomStringConvertible {
    public var backend: LLMBackendKind = .offline

    // Offline model.
    public var latencyMedianMilliseconds: Double = 0
    public var latencySigma: Double = 0
    public var overloadRate: Double = 0
    public var quotaRate: Double = 0
    public var quotaRetryAfter: Duration = .seconds(1)
    public var seed: UInt64 = 42
    public var qualityMean: Double = 0.5

    // OpenAI-compatible server.
    public var baseURL = URL(string: "https://api.openai.com/v1")!
    public var model = "gpt-4o-mini"
    public var apiKey = APIKey("")
    public var temperature: Double = 0.7
    public var maxTokens: Int?
    public var systemPrompt = OpenAICompatibleLLM.defaultSystemPrompt

    // Both.
    public var maxConcurrency = 64
    public var timeout: Duration = .seconds(30)
    public var retry = RetryPolicy()
    /// What tokens cost, for the cost figures (`LLMPrices`).
    public var prices = LLMPrices()

    /// The defaults.
    public init() {}

    /// The settings from environment variables; absent or blank ones take their defaults.
    ///
    /// - Throws: `ConfigurationError` (one line) for the first value that does not parse, is out
    ///   of range, or contradicts another.
    public init(environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        backend = try env.choice("LLM_BACKEND", default: .offline)

        latencyMedianMilliseconds = try env.number("LLM_LATENCY_MS", default: 0, in: 0...3_600_000)
        latencySigma = try env.number("LLM_LATENCY_SIGMA", default: 0, in: 0...10)
        overloadRate = try env.number("LLM_OVERLOAD_RATE", default: 0, in: 0...1)
        quotaRate = try env.number("LLM_QUOTA_RATE", default: 0, in: 0...1)
        if overloadRate + quotaRate > 1 {
            throw ConfigurationError(variable: "LLM_OVERLOAD_RATE + LLM_QUOTA_RATE", expectation: "at most 1",
                                     value: "\(overloadRate) + \(quotaRate)")
        }
        quotaRetryAfter = .milliseconds(try env.number("LLM_QUOTA_RETRY_AFTER_S", default: 1, in: 0...86_400) * 1000)
        seed = try env.unsigned("LLM_SEED", default: 42)
        qualityMean = try env.number("LLM_QUALITY_MEAN", default: 0.5, in: 0...1)

        if let text = env.raw("LLM_BASE_URL") {
            var trimmed = text
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", url.host != nil
            else {
                throw ConfigurationError(variable: "LLM_BASE_URL", expectation: "an http or https URL", value: text)
            }
            baseURL = url
        }
        model = env.string("LLM_MODEL", default: model)
        apiKey = APIKey(env.raw("LLM_API_KEY") ?? env.raw("OPENAI_API_KEY") ?? "")
        temperature = try env.number("LLM_TEMPERATURE", default: 0.7, in: 0...2)
        let tokens = try env.integer("LLM_MAX_TOKENS", default: 0, in: 0...10_000_000)
        maxTokens = tokens == 0 ? nil : tokens
        systemPrompt = env.string("LLM_SYSTEM_PROMPT", default: systemPrompt)

        maxConcurrency = try env.integer("LLM_MAX_CONCURRENCY", default: 64, in: 1...1_000_000)
        timeout = .milliseconds(try env.number("LLM_TIMEOUT_S", default: 30, in: 0.001...86_400) * 1000)
        let base = try env.number("LLM_BACKOFF_BASE_MS", default: 100, in: 0...86_400_000)
        let cap = try env.number("LLM_BACKOFF_MAX_MS", default: 10_000, in: 0...86_400_000)
        if cap < base {
            throw ConfigurationError(variable: "LLM_BACKOFF_MAX_MS", expectation: "at least LLM_BACKOFF_BASE_MS (\(base))",
                                     value: "\(cap)")
        }
        retry = RetryPolicy(
            maxRetries: try env.integer("LLM_RETRIES", default: 3, in: 0...1_000),
            backoffBase: .milliseconds(base), backoffCap: .milliseconds(cap),
            quotaWindow: .milliseconds(try env.number("LLM_QUOTA_WINDOW_S", default: 60, in: 0...86_400) * 1000),
            maxQuotaWait: .milliseconds(try env.number("LLM_MAX_QUOTA_WAIT_S", default: 60, in: 0...86_400) * 1000))
        prices = LLMPrices(
            promptPer1K: try env.number("LLM_PRICE_PROMPT_PER_1K", default: prices.promptPer1K, in: 0...1_000_000),
            completionPer1K: try env.number("LLM_PRICE_COMPLETION_PER_1K", default: prices.completionPer1K, in: 0...1_000_000))
    }

    /// The backend these settings choose.
    public func makeBackend() -> any LLMBackend {
        switch backend {
        case .offline: OfflineLLM(configuration: self)
        case .openai: OpenAICompatibleLLM(configuration: self)
        }
    }

    /// One line for logs; the API key shows only whether it is set.
    public var description: String {
        let shared = "concurrency \(maxConcurrency), timeout \(timeout), retries \(retry.maxRetries), "
            + "backoff \(retry.backoffBase)...\(retry.backoffCap)"
        switch backend {
        case .offline:
            return "backend offline, seed \(seed), quality mean \(qualityMean), latency "
                + "\(LatencyModel(medianMilliseconds: latencyMedianMilliseconds, sigma: latencySigma)), "
                + "overload rate \(overloadRate), quota rate \(quotaRate), \(shared)"
        case .openai:
            return "backend openai, \(baseURL.absoluteString), model \(model), key \(apiKey), "
                + "temperature \(temperature), \(shared)"
        }
    }
}

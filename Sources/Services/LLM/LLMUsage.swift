/// The tokens one LLM call cost, as an OpenAI-compatible response's `usage` reports them, or
/// estimated from the text (about four bytes of English per token) when the backend reports
/// none: the offline model always, some local servers. Estimates are marked, so figures that
/// include them say so.
public struct LLMUsage: Equatable, Sendable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// Whether the counts are estimated from text rather than reported by the server.
    public var estimated: Bool

    public init(promptTokens: Int, completionTokens: Int, estimated: Bool) {
        self.promptTokens = max(0, promptTokens)
        self.completionTokens = max(0, completionTokens)
        self.estimated = estimated
    }

    /// An estimate: a token per four UTF-8 bytes, rounded up (the usual rule of thumb for
    /// English with GPT-style tokenizers).
    public init(estimatingPrompt prompt: String, completion: String) {
        self.init(promptTokens: Self.estimatedTokens(prompt), completionTokens: Self.estimatedTokens(completion),
                  estimated: true)
    }

    static func estimatedTokens(_ text: String) -> Int { (text.utf8.count + 3) / 4 }

    /// The price of these tokens at `prices`.
    public func cost(at prices: LLMPrices) -> Double {
        Double(promptTokens) / 1000 * prices.promptPer1K + Double(completionTokens) / 1000 * prices.completionPer1K
    }
}

/// Prices per 1,000 tokens (`LLM_PRICE_PROMPT_PER_1K`, `LLM_PRICE_COMPLETION_PER_1K`), in the
/// currency of the user's choice. The defaults are gpt-4o-mini's list prices in US dollars
/// (0.15 and 0.60 per million tokens); set your model's.
public struct LLMPrices: Equatable, Sendable {
    public var promptPer1K: Double
    public var completionPer1K: Double

    public init(promptPer1K: Double = 0.000_15, completionPer1K: Double = 0.000_6) {
        self.promptPer1K = promptPer1K
        self.completionPer1K = completionPer1K
    }
}

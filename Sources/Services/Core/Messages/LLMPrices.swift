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

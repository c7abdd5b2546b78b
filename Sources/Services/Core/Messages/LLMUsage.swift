/// The tokens one LLM call cost, as an OpenAI-compatible response's `usage` reports them, or
/// estimated from the text (about four bytes of English per token) when the backend reports
/// none: the offline model always, some local servers. Estimates are marked, so figures that
/// include them say so.
///
/// The messages of an asking's chain carry the sum over its calls so far (`prompt_tokens`,
/// `completion_tokens`, `tokens_estimated`), so its decision carries what the chain cost.
public struct LLMUsage: Equatable, Sendable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// Whether the counts are estimated from text rather than reported by the server.
    public var estimated: Bool

    /// No tokens: what an asking answered without calling the LLM costs.
    public static let zero = LLMUsage(promptTokens: 0, completionTokens: 0, estimated: false)

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

    /// These tokens and `other`'s, each count kept within `MessageDomain.tokens` (so a chain's
    /// sum is always a value its messages may carry); estimated when either is.
    public func adding(_ other: LLMUsage) -> LLMUsage {
        let bound = MessageDomain.tokens.upperBound
        return LLMUsage(promptTokens: min(bound, promptTokens.saturatingAdd(other.promptTokens)),
                        completionTokens: min(bound, completionTokens.saturatingAdd(other.completionTokens)),
                        estimated: estimated || other.estimated)
    }

    /// The price of these tokens at `prices`.
    public func cost(at prices: LLMPrices) -> Double {
        Double(promptTokens) / 1000 * prices.promptPer1K + Double(completionTokens) / 1000 * prices.completionPer1K
    }
}

extension LLMUsage {
    /// The chain's token fields of a message: written on every message of a chain.
    func write(into writer: inout JSONWriter) {
        writer.field("prompt_tokens", promptTokens)
        writer.field("completion_tokens", completionTokens)
        writer.field("tokens_estimated", estimated)
    }
}

extension MessageFields {
    /// The chain's token fields; each absent (or null) reads as 0 and false, so messages
    /// written before them still decode.
    mutating func usage() throws -> LLMUsage {
        LLMUsage(promptTokens: try int("prompt_tokens", in: MessageDomain.tokens, default: 0),
                 completionTokens: try int("completion_tokens", in: MessageDomain.tokens, default: 0),
                 estimated: try bool("tokens_estimated", default: false))
    }
}

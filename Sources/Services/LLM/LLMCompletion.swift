import VeredictoCore
/// An answer of an `LLMBackend`.
public struct LLMCompletion: Equatable, Sendable {
    /// The answer text.
    public var text: String
    /// Time from the call to the answer, waits for a concurrency slot included.
    public var latency: Duration
    /// The model that answered (`offline` for the offline model).
    public var model: String
    /// Tokens the call cost: the server's `usage`, or an estimate from the text.
    public var usage: LLMUsage

    public init(text: String, latency: Duration, model: String, usage: LLMUsage? = nil, prompt: String = "") {
        self.text = text
        self.latency = latency
        self.model = model
        self.usage = usage ?? LLMUsage(estimatingPrompt: prompt, completion: text)
    }

    /// `latency` in milliseconds, as the `latency_ms` message field carries it.
    public var latencyMilliseconds: Double {
        latency.inMilliseconds
    }
}

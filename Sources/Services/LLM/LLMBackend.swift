/// A language model that answers questions: the offline model or an OpenAI-compatible server.
///
/// Backends are shared by every task of the LLM service, so they are `Sendable` and bound their
/// own concurrency where a server needs it.
public protocol LLMBackend: Sendable {
    /// One answer to `request`, or an `LLMError` saying how the call failed (overload, quota,
    /// invalid response, client error); `CancellationError` when the task is cancelled.
    func complete(_ request: LLMCompletionRequest) async throws -> LLMCompletion

    /// One line for logs saying what the backend is and how it is set up (never a secret).
    func describe() -> String
}

/// Which backend the LLM service uses (`LLM_BACKEND`).
public enum LLMBackendKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The deterministic offline model (`OfflineLLM`).
    case offline
    /// Any OpenAI-compatible chat-completions server (`OpenAICompatibleLLM`).
    case openai

    public var description: String { rawValue }
}

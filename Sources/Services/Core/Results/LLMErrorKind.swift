/// The class of an LLM failure, as the `error_type` of an `llm_errors` message names it. The
/// class decides what happens next (see `LLMError`): compare kinds, never their names.
public enum LLMErrorKind: String, Sendable, CaseIterable, Hashable {
    /// The server is busy or unreachable: retried with backoff.
    case overload
    /// Rate limited: retried after Retry-After or the quota window.
    case quota
    /// The server answered something unusable.
    case invalidResponse = "invalid_response"
    /// The request was refused: sending it again would fail again.
    case client
}

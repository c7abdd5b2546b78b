/// The way an asking went through the pipeline. It sets how many topics the asking crossed,
/// and so its end-to-end latency: run summaries and the benchmark give latencies per path.
public enum DecisionPath: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Served by the cache or from storage.
    case cached
    /// Answered by the LLM and decided by the score service at this attempt (accepted, or
    /// forced at the retry cap).
    case answered(attempts: Int)
    /// Answered by the decision of the question's LLM chain in flight when it was asked.
    case coalesced
    /// The LLM kept failing: stored as failed after the llm_errors retries.
    case failed

    /// Topics crossed from the generator to the store: questions_in and validated_responses,
    /// plus llm_requests and llm_responses for the first attempt, plus regeneration_requests,
    /// llm_requests and llm_responses for each further one. Nil for failed askings (their
    /// way through llm_errors varies).
    public var topics: Int? {
        switch self {
        case .cached: 2
        case .answered(let attempts): 4 + 3 * (attempts - 1)
        case .coalesced, .failed: nil
        }
    }

    private var order: Int {
        switch self {
        case .cached: 0
        case .answered(let attempts): attempts
        case .coalesced: Int.max - 1
        case .failed: Int.max
        }
    }

    public static func < (lhs: DecisionPath, rhs: DecisionPath) -> Bool { lhs.order < rhs.order }

    /// The description with the topics crossed: "LLM, 3 attempts, 10 topics".
    public var descriptionWithTopics: String {
        description + (topics.map { ", \($0) topics" } ?? "")
    }

    /// The path as a metric label: `cache`, `llm_1`, `llm_2`, ..., `failed`.
    public var label: String {
        switch self {
        case .cached: "cache"
        case .answered(let attempts): "llm_\(attempts)"
        case .coalesced: "coalesced"
        case .failed: "failed"
        }
    }

    public var description: String {
        switch self {
        case .cached: "cache"
        case .answered(let attempts): attempts == 1 ? "LLM, 1 attempt" : "LLM, \(attempts) attempts"
        case .coalesced: "coalesced"
        case .failed: "failed"
        }
    }
}

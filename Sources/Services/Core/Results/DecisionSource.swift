/// Where the answer of one asking came from (the `source` of a ValidatedResponse and a result).
public enum DecisionSource: String, Sendable, CaseIterable {
    /// The cache service's in-memory cache.
    case cache
    /// A result already stored in MongoDB.
    case storage
    /// The LLM, scored by the score service.
    case score
    /// The decision of the question's LLM chain that was in flight when it was asked: the
    /// cache service held the asking until that chain was decided, instead of calling the LLM.
    case coalesced
    /// No answer: the LLM kept failing and the question is stored as failed.
    case failed
}

/// The pipeline's Kafka topics, named as in the original system so that its users' tools keep
/// working. Every message is keyed by its trace_id, so all attempts at one question stay on
/// one partition.
public enum Topic: String, Sendable, CaseIterable {
    case questionsIn = "questions_in"
    case llmRequests = "llm_requests"
    case llmResponses = "llm_responses"
    case llmErrors = "llm_errors"
    case regenerationRequests = "regeneration_requests"
    case validatedResponses = "validated_responses"
    /// Messages that could not be read, with the reason (ours, not the original system's).
    case deadLetters = "dead_letters"

    public var name: String { rawValue }

    /// The name behind `prefix` (`"t42_"` gives `t42_questions_in`), so that tests sharing a
    /// broker can use topics of their own.
    public func name(prefix: String) -> String {
        prefix + rawValue
    }
}

extension ValidatedResponse {
    /// What the cache service learns from a validated response: the decision of a question's
    /// LLM chain (an answer, or a failure).
    public struct Answer: Sendable, Equatable {
        public var questionID: String
        public var traceID: String
        public var llmAnswer: String
        public var score: Double
        public var status: Status
    }

    /// Reads a validated response for the cache: the same checks as `decode`, in the same
    /// order, so it rejects the same messages with the same reason, but it makes Strings only
    /// of what an answer needs and only when the response ends an LLM chain (source `score` or
    /// `failed`); otherwise nil. Most responses are repeats served from the cache, which teach
    /// it nothing.
    public static func decodeAnswer(_ bytes: UnsafeRawBufferPointer) throws -> Answer? {
        try MessageFields.read(bytes) { fields in
            _ = try fields.checkedID("message_id", maximum: MessageDomain.maximumMessageIDBytes)
            let traceID = try fields.checkedID("trace_id")
            let questionID = try fields.identifier("question_id")
            _ = try fields.checkedString("title")
            _ = try fields.checkedString("content")
            let llmAnswer = try fields.checkedString("llm_answer")
            _ = try fields.checkedString("best_answer")
            let score = try fields.double("score", in: MessageDomain.score)
            let accepted = try fields.bool("accepted")
            let source: Source = try fields.choice("source")
            let attempts = try fields.int("attempts", in: MessageDomain.attempts)
            _ = try fields.timestamp("decided_at")
            let status: Status = try fields.optionalChoice("status")
                ?? (source == .failed ? .failed : accepted ? .accepted : .forced)
            try checkConsistency(status: status, accepted: accepted, source: source, attempts: attempts)
            _ = try fields.optionalDouble("first_score", in: MessageDomain.score)
            _ = try fields.optionalTimestamp("created_at")
            _ = try fields.int("llm_calls", in: MessageDomain.llmCalls, default: 0)
            _ = try fields.usage()
            // A failure with no attempt is a failure the cache remembered, not a chain's end.
            guard source == .score || (source == .failed && attempts > 0) else { return nil }
            return Answer(questionID: questionID, traceID: traceID.string(), llmAnswer: llmAnswer.string(), score: score,
                          status: source == .failed ? .failed : status)
        }
    }
}

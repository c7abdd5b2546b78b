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

    /// Reads a validated response for the cache: the answer when the response ends an LLM
    /// chain (source `score`, or `failed` after an attempt), otherwise nil. Most responses are
    /// repeats served from the cache, which teach it nothing.
    ///
    /// A response that starts with a source that ends no chain (as this pipeline writes them:
    /// `endsNoChain`) is nil from its first fields, without reading the rest: the store, which
    /// keeps it, checks it whole and dead-letters it if it is not valid. Any other is read with
    /// the same checks as `decode`, in the same order, so it is rejected for the same reason,
    /// and Strings are made only of what an answer needs.
    public static func decodeAnswer(_ bytes: UnsafeRawBufferPointer) throws -> Answer? {
        if endsNoChain(bytes) { return nil }
        return try MessageFields.read(bytes) { fields in
            let source: Source = try fields.choice("source")
            let attempts = try fields.int("attempts", in: MessageDomain.attempts)
            _ = try fields.checkedID("message_id", maximum: MessageDomain.maximumMessageIDBytes)
            let traceID = try fields.checkedID("trace_id")
            let questionID = try fields.identifier("question_id")
            _ = try fields.checkedString("title")
            _ = try fields.checkedString("content")
            let llmAnswer = try fields.checkedString("llm_answer")
            _ = try fields.checkedString("best_answer")
            let score = try fields.double("score", in: MessageDomain.score)
            let accepted = try fields.bool("accepted")
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

    /// Whether a response's first fields say it ends no LLM chain: `{"source":` cache, storage
    /// or coalesced, or `failed` followed by `"attempts":0` (a remembered failure), exactly as
    /// `encode` and `servedJSON` write them. Anything else (another order, spacing, escapes)
    /// answers false and is read whole.
    static func endsNoChain(_ bytes: UnsafeRawBufferPointer) -> Bool {
        func starts(with prefix: StaticString, at offset: Int) -> Bool {
            let count = prefix.utf8CodeUnitCount
            guard offset + count <= bytes.count else { return false }
            return prefix.withUTF8Buffer { expected in
                for i in 0..<count where bytes[offset + i] != expected[i] { return false }
                return true
            }
        }
        guard starts(with: #"{"source":""#, at: 0) else { return false }
        let at = 11
        if starts(with: #"cache","#, at: at) || starts(with: #"storage","#, at: at)
            || starts(with: #"coalesced","#, at: at) {
            return true
        }
        return starts(with: #"failed","attempts":0,"#, at: at)
    }
}

/// The final answer to one question (`validated_responses`), for the store service.
public struct ValidatedResponse: PipelineMessage {
    public static var topic: Topic { .validatedResponses }

    /// Where the answer came from.
    public typealias Source = DecisionSource
    /// How the answer was decided.
    public typealias Status = ResultStatus

    public var messageID: String
    public var traceID: String
    public var questionID: String
    public var title: String
    public var content: String
    public var llmAnswer: String
    public var bestAnswer: String
    public var score: Double
    /// Whether the score reached the threshold.
    public var accepted: Bool
    public var source: Source
    public var attempts: Int
    public var decidedAt: Timestamp
    /// Messages without it read `failed` for a failed source, else `accepted` or `forced`
    /// from `accepted`.
    public var status: Status
    /// The score of attempt 1.
    public var firstScore: Double?
    /// When the question was asked. Messages without it read it as `decidedAt`.
    public var createdAt: Timestamp
    /// LLM calls this answer cost, re-issues after errors included (0 from a cache).
    public var llmCalls: Int
    /// The tokens of the chain's LLM calls so far (absent in a message: none).
    public var usage: LLMUsage

    public init(
        messageID: String,
        traceID: String,
        questionID: String,
        title: String,
        content: String,
        llmAnswer: String,
        bestAnswer: String,
        score: Double,
        accepted: Bool,
        source: Source,
        attempts: Int,
        decidedAt: Timestamp = .now(),
        status: Status,
        firstScore: Double? = nil,
        createdAt: Timestamp,
        llmCalls: Int,
        usage: LLMUsage = .zero
    ) {
        self.messageID = messageID
        self.traceID = traceID
        self.questionID = questionID
        self.title = title
        self.content = content
        self.llmAnswer = llmAnswer
        self.bestAnswer = bestAnswer
        self.score = score
        self.accepted = accepted
        self.source = source
        self.attempts = attempts
        self.decidedAt = decidedAt
        self.status = status
        self.firstScore = firstScore
        self.createdAt = createdAt
        self.llmCalls = llmCalls
        self.usage = usage
    }

    /// The message_id of the one validated response of a trace. It is derived from the trace,
    /// not drawn at random, because the store deduplicates on message_id: when a service
    /// upstream crashes after publishing but before committing its input, the redelivered input
    /// produces the same response again, and only a deterministic id lets the store recognize
    /// it as a duplicate instead of counting the question twice.
    public static func messageID(forTrace traceID: String) -> String {
        "v-" + traceID
    }

    public var encodedSizeEstimate: Int { Self.encodedSizeEstimate(texts: title, content, llmAnswer, bestAnswer) }

    public func encode(into writer: inout JSONWriter) {
        writer.beginObject()
        // Source and attempts first: they tell whether the response ends an LLM chain, and a
        // reader interested only in those (the cache) stops there (`endsNoChain`).
        writer.field("source", source.rawValue)
        writer.field("attempts", attempts)
        writer.field("message_id", messageID)
        writer.field("trace_id", traceID)
        writer.field("question_id", questionID)
        writer.field("title", title)
        writer.field("content", content)
        writer.field("llm_answer", llmAnswer)
        writer.field("best_answer", bestAnswer)
        writer.field("score", score)
        writer.field("accepted", accepted)
        writer.field("decided_at", decidedAt)
        writer.field("status", status.rawValue)
        writer.field("first_score", firstScore)
        writer.field("created_at", createdAt)
        writer.field("llm_calls", llmCalls)
        usage.write(into: &writer)
        writer.endObject()
    }

    /// `status` agrees with the flags: `accepted` exactly when the answer was accepted, `failed`
    /// exactly when the source is `failed`, and an answer scored by the pipeline took an attempt.
    static func checkConsistency(status: Status, accepted: Bool, source: Source, attempts: Int) throws {
        if (status == .accepted) != accepted {
            throw MessageDecodingError(field: "status", description: "field \"status\" is \"\(status.rawValue)\" but \"accepted\" is \(accepted)")
        }
        if (status == .failed) != (source == .failed) {
            throw MessageDecodingError(field: "status", description: "field \"status\" is \"\(status.rawValue)\" but \"source\" is \"\(source.rawValue)\"")
        }
        if source == .score && attempts < 1 {
            throw MessageDecodingError(field: "attempts", description: "field \"attempts\" is 0 for an answer of source \"score\"")
        }
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> ValidatedResponse {
        try MessageFields.read(bytes) { fields in
            let source: Source = try fields.choice("source")
            let attempts = try fields.int("attempts", in: MessageDomain.attempts)
            let messageID = try fields.id("message_id", maximum: MessageDomain.maximumMessageIDBytes)
            let traceID = try fields.id("trace_id")
            let questionID = try fields.identifier("question_id")
            let title = try fields.string("title")
            let content = try fields.string("content")
            let llmAnswer = try fields.string("llm_answer")
            let bestAnswer = try fields.string("best_answer")
            let score = try fields.double("score", in: MessageDomain.score)
            let accepted = try fields.bool("accepted")
            let decidedAt = try fields.timestamp("decided_at")
            let status: Status = try fields.optionalChoice("status")
                ?? (source == .failed ? .failed : accepted ? .accepted : .forced)
            try checkConsistency(status: status, accepted: accepted, source: source, attempts: attempts)
            return ValidatedResponse(
                messageID: messageID,
                traceID: traceID,
                questionID: questionID,
                title: title,
                content: content,
                llmAnswer: llmAnswer,
                bestAnswer: bestAnswer,
                score: score,
                accepted: accepted,
                source: source,
                attempts: attempts,
                decidedAt: decidedAt,
                status: status,
                firstScore: try fields.optionalDouble("first_score", in: MessageDomain.score),
                createdAt: try fields.optionalTimestamp("created_at") ?? decidedAt,
                llmCalls: try fields.int("llm_calls", in: MessageDomain.llmCalls, default: 0),
                usage: try fields.usage()
            )
        }
    }
}

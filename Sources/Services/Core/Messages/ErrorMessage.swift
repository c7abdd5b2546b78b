/// An LLM request that failed after its retries in place (`llm_errors`). It carries the request
/// so that the consumer of `llm_errors` can re-issue it once `retryAt` is due.
public struct ErrorMessage: PipelineMessage {
    public static var topic: Topic { .llmErrors }

    public var messageID: String
    public var traceID: String
    public var questionID: String
    /// `overload`, `quota`, `timeout`, `invalid_response`, ...
    public var errorType: String
    /// The class `error_type` names; nil for a type this version does not know.
    public var kind: LLMErrorKind? { LLMErrorKind(rawValue: errorType) }
    public var errorDetail: String
    public var attempts: Int
    /// When the request may be re-issued.
    public var retryAt: Timestamp
    public var producedAt: Timestamp
    /// How many times the request had already been re-issued.
    public var retries: Int
    // The request, to re-issue it. Messages without them read empty strings.
    public var title: String
    public var content: String
    public var prompt: String
    public var bestAnswer: String
    /// When the question was asked. Messages without it read it as `producedAt`.
    public var createdAt: Timestamp
    public var firstScore: Double?
    /// The tokens of the chain's LLM calls so far (absent in a message: none).
    public var usage: LLMUsage

    public init(
        messageID: String = MessageID.make(),
        traceID: String,
        questionID: String,
        errorType: String,
        errorDetail: String,
        attempts: Int,
        retryAt: Timestamp,
        producedAt: Timestamp = .now(),
        retries: Int = 0,
        title: String,
        content: String,
        prompt: String,
        bestAnswer: String,
        createdAt: Timestamp,
        firstScore: Double? = nil,
        usage: LLMUsage = .zero
    ) {
        self.messageID = messageID
        self.traceID = traceID
        self.questionID = questionID
        self.errorType = errorType
        self.errorDetail = errorDetail
        self.attempts = attempts
        self.retryAt = retryAt
        self.producedAt = producedAt
        self.retries = retries
        self.title = title
        self.content = content
        self.prompt = prompt
        self.bestAnswer = bestAnswer
        self.createdAt = createdAt
        self.firstScore = firstScore
        self.usage = usage
    }

    public var encodedSizeEstimate: Int { Self.encodedSizeEstimate(texts: errorDetail, title, content, prompt, bestAnswer) }

    public func encode(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("message_id", messageID)
        writer.field("trace_id", traceID)
        writer.field("question_id", questionID)
        writer.field("error_type", errorType)
        writer.field("error_detail", errorDetail)
        writer.field("attempts", attempts)
        writer.field("retry_at", retryAt)
        writer.field("produced_at", producedAt)
        writer.field("retries", retries)
        writer.field("title", title)
        writer.field("content", content)
        writer.field("prompt", prompt)
        writer.field("best_answer", bestAnswer)
        writer.field("created_at", createdAt)
        writer.field("first_score", firstScore)
        usage.write(into: &writer)
        writer.endObject()
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> ErrorMessage {
        try MessageFields.read(bytes) { fields in
            let messageID = try fields.id("message_id", maximum: MessageDomain.maximumMessageIDBytes)
            let traceID = try fields.id("trace_id")
            let questionID = try fields.identifier("question_id")
            let errorType = try fields.string("error_type")
            let errorDetail = try fields.string("error_detail")
            let attempts = try fields.int("attempts", in: MessageDomain.attempts)
            let retryAt = try fields.timestamp("retry_at")
            let producedAt = try fields.timestamp("produced_at")
            return ErrorMessage(
                messageID: messageID,
                traceID: traceID,
                questionID: questionID,
                errorType: errorType,
                errorDetail: errorDetail,
                attempts: attempts,
                retryAt: retryAt,
                producedAt: producedAt,
                retries: try fields.int("retries", in: MessageDomain.retries, default: 0),
                title: try fields.string("title", default: ""),
                content: try fields.string("content", default: ""),
                prompt: try fields.string("prompt", default: ""),
                bestAnswer: try fields.string("best_answer", default: ""),
                createdAt: try fields.optionalTimestamp("created_at") ?? producedAt,
                firstScore: try fields.optionalDouble("first_score", in: MessageDomain.score),
                usage: try fields.usage()
            )
        }
    }
}

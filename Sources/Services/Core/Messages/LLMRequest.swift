/// A prompt for the LLM service (`llm_requests`): one attempt at answering a question.
public struct LLMRequest: PipelineMessage {
    public static var topic: Topic { .llmRequests }

    public var messageID: String
    public var traceID: String
    public var questionID: String
    public var title: String
    public var content: String
    public var prompt: String
    public var bestAnswer: String
    /// 1 for the first answer, +1 per regeneration.
    public var attempts: Int
    /// When the question was asked.
    public var createdAt: Timestamp
    /// The score of attempt 1, once known (regenerations carry it to the final result).
    public var firstScore: Double?
    /// How many times this attempt was re-issued after an LLM error (`llm_errors`).
    public var retries: Int
    /// The tokens of the chain's LLM calls so far (absent in a message: none).
    public var usage: LLMUsage

    public init(
        messageID: String = MessageID.make(),
        traceID: String,
        questionID: String,
        title: String,
        content: String,
        prompt: String,
        bestAnswer: String,
        attempts: Int,
        createdAt: Timestamp,
        firstScore: Double? = nil,
        retries: Int = 0,
        usage: LLMUsage = .zero
    ) {
        self.messageID = messageID
        self.traceID = traceID
        self.questionID = questionID
        self.title = title
        self.content = content
        self.prompt = prompt
        self.bestAnswer = bestAnswer
        self.attempts = attempts
        self.createdAt = createdAt
        self.firstScore = firstScore
        self.retries = retries
        self.usage = usage
    }

    public var encodedSizeEstimate: Int { Self.encodedSizeEstimate(texts: title, content, prompt, bestAnswer) }

    public func encode(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("message_id", messageID)
        writer.field("trace_id", traceID)
        writer.field("question_id", questionID)
        writer.field("title", title)
        writer.field("content", content)
        writer.field("prompt", prompt)
        writer.field("best_answer", bestAnswer)
        writer.field("attempts", attempts)
        writer.field("created_at", createdAt)
        writer.field("first_score", firstScore)
        writer.field("retries", retries)
        usage.write(into: &writer)
        writer.endObject()
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> LLMRequest {
        try MessageFields.read(bytes) { fields in
            LLMRequest(
                messageID: try fields.id("message_id", maximum: MessageDomain.maximumMessageIDBytes),
                traceID: try fields.id("trace_id"),
                questionID: try fields.identifier("question_id"),
                title: try fields.string("title"),
                content: try fields.string("content"),
                prompt: try fields.string("prompt"),
                bestAnswer: try fields.string("best_answer"),
                attempts: try fields.int("attempts", in: MessageDomain.attempts),
                createdAt: try fields.timestamp("created_at"),
                firstScore: try fields.optionalDouble("first_score", in: MessageDomain.score),
                retries: try fields.int("retries", in: MessageDomain.retries, default: 0),
                usage: try fields.usage()
            )
        }
    }
}

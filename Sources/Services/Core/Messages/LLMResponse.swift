/// The LLM's answer to one request (`llm_responses`), to be scored.
public struct LLMResponse: PipelineMessage {
    public static var topic: Topic { .llmResponses }

    public var messageID: String
    public var traceID: String
    public var questionID: String
    public var title: String
    public var content: String
    public var prompt: String
    public var llmAnswer: String
    public var bestAnswer: String
    /// How long the LLM call took, retries in place included.
    public var latencyMs: Double
    public var attempts: Int
    public var producedAt: Timestamp
    /// When the question was asked. Messages without it read it as `producedAt`.
    public var createdAt: Timestamp
    /// The score of attempt 1, once known.
    public var firstScore: Double?
    /// The tokens of the chain's LLM calls so far (absent in a message: none).
    public var usage: LLMUsage

    public init(
        messageID: String = MessageID.make(),
        traceID: String,
        questionID: String,
        title: String,
        content: String,
        prompt: String,
        llmAnswer: String,
        bestAnswer: String,
        latencyMs: Double,
        attempts: Int,
        producedAt: Timestamp = .now(),
        createdAt: Timestamp,
        firstScore: Double? = nil,
        usage: LLMUsage = .zero
    ) {
        self.messageID = messageID
        self.traceID = traceID
        self.questionID = questionID
        self.title = title
        self.content = content
        self.prompt = prompt
        self.llmAnswer = llmAnswer
        self.bestAnswer = bestAnswer
        self.latencyMs = latencyMs
        self.attempts = attempts
        self.producedAt = producedAt
        self.createdAt = createdAt
        self.firstScore = firstScore
        self.usage = usage
    }

    public var encodedSizeEstimate: Int { Self.encodedSizeEstimate(texts: title, content, prompt, llmAnswer, bestAnswer) }

    public func encode(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("message_id", messageID)
        writer.field("trace_id", traceID)
        writer.field("question_id", questionID)
        writer.field("title", title)
        writer.field("content", content)
        writer.field("prompt", prompt)
        writer.field("llm_answer", llmAnswer)
        writer.field("best_answer", bestAnswer)
        writer.field("latency_ms", latencyMs)
        writer.field("attempts", attempts)
        writer.field("produced_at", producedAt)
        writer.field("created_at", createdAt)
        writer.field("first_score", firstScore)
        usage.write(into: &writer)
        writer.endObject()
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> LLMResponse {
        try MessageFields.read(bytes) { fields in
            let messageID = try fields.id("message_id", maximum: MessageDomain.maximumMessageIDBytes)
            let traceID = try fields.id("trace_id")
            let questionID = try fields.identifier("question_id")
            let title = try fields.string("title")
            let content = try fields.string("content")
            let prompt = try fields.string("prompt")
            let llmAnswer = try fields.string("llm_answer")
            let bestAnswer = try fields.string("best_answer")
            let latencyMs = try fields.double("latency_ms", in: MessageDomain.latencyMilliseconds)
            let attempts = try fields.int("attempts", in: MessageDomain.attempts)
            let producedAt = try fields.timestamp("produced_at")
            return LLMResponse(
                messageID: messageID,
                traceID: traceID,
                questionID: questionID,
                title: title,
                content: content,
                prompt: prompt,
                llmAnswer: llmAnswer,
                bestAnswer: bestAnswer,
                latencyMs: latencyMs,
                attempts: attempts,
                producedAt: producedAt,
                createdAt: try fields.optionalTimestamp("created_at") ?? producedAt,
                firstScore: try fields.optionalDouble("first_score", in: MessageDomain.score),
                usage: try fields.usage()
            )
        }
    }
}

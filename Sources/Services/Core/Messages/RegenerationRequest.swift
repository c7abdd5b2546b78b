/// A request to answer a question again after a low score (`regeneration_requests`). The cache
/// service turns it into the next `LLMRequest` of the same trace.
public struct RegenerationRequest: PipelineMessage {
    public static var topic: Topic { .regenerationRequests }

    public var messageID: String
    public var traceID: String
    public var questionID: String
    public var title: String
    public var content: String
    public var prompt: String
    public var bestAnswer: String
    /// The attempt that scored too low.
    public var attempts: Int
    /// When the question was asked. The original message had no timestamp: messages without it
    /// read the time of decoding.
    public var createdAt: Timestamp
    /// The score of attempt 1.
    public var firstScore: Double?
    /// The score of the attempt that asked for this regeneration.
    public var previousScore: Double?
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
        previousScore: Double? = nil,
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
        self.previousScore = previousScore
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
        writer.field("previous_score", previousScore)
        usage.write(into: &writer)
        writer.endObject()
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> RegenerationRequest {
        try MessageFields.read(bytes) { fields in
            RegenerationRequest(
                messageID: try fields.id("message_id", maximum: MessageDomain.maximumMessageIDBytes),
                traceID: try fields.id("trace_id"),
                questionID: try fields.identifier("question_id"),
                title: try fields.string("title"),
                content: try fields.string("content"),
                prompt: try fields.string("prompt"),
                bestAnswer: try fields.string("best_answer"),
                attempts: try fields.int("attempts", in: MessageDomain.attempts),
                createdAt: try fields.optionalTimestamp("created_at") ?? .now(),
                firstScore: try fields.optionalDouble("first_score", in: MessageDomain.score),
                previousScore: try fields.optionalDouble("previous_score", in: MessageDomain.score),
                usage: try fields.usage()
            )
        }
    }
}

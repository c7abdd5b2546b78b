/// A question to answer (`questions_in`), published by the generator or by hand.
public struct QuestionMessage: PipelineMessage {
    public static var topic: Topic { .questionsIn }

    public var messageID: String
    public var traceID: String
    public var questionID: String
    public var title: String
    public var content: String
    public var bestAnswer: String
    /// Who asked: `generator`, or `manual` for a message published by hand.
    public var source: String
    public var createdAt: Timestamp
    public var attempts: Int

    public init(
        messageID: String = MessageID.make(),
        traceID: String = MessageID.make(),
        questionID: String,
        title: String,
        content: String,
        bestAnswer: String,
        source: String = "generator",
        createdAt: Timestamp = .now(),
        attempts: Int = 0
    ) {
        self.messageID = messageID
        self.traceID = traceID
        self.questionID = questionID
        self.title = title
        self.content = content
        self.bestAnswer = bestAnswer
        self.source = source
        self.createdAt = createdAt
        self.attempts = attempts
    }

    public var encodedSizeEstimate: Int { Self.encodedSizeEstimate(texts: title, content, bestAnswer) }

    /// One field list, `AskedQuestion`'s (the generator and the cache send askings through it);
    /// the texts are escaped straight into `writer`.
    public func encode(into writer: inout JSONWriter) {
        AskedQuestion.encode(into: &writer, messageID: messageID, traceID: traceID, questionID: questionID,
                             source: source, createdAt: createdAt, attempts: attempts) { writer in
            writer.field("title", title)
            writer.field("content", content)
            writer.field("best_answer", bestAnswer)
        }
    }

    /// Only `question_id` (a string or an integer), `title` and `best_answer` are required, so
    /// that a question published by hand with any Kafka client is accepted: missing ids are
    /// fresh ones, `content` defaults to empty, `source` to `manual`, `created_at` to now and
    /// `attempts` to 0.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> QuestionMessage {
        try decode(bytes, fallbackMessageID: MessageID.make(), fallbackTraceID: MessageID.make())
    }

    /// As `decode(_:)`, with the ids a message without them gets. A consumer passes ids derived
    /// from where the record is (topic, partition, offset), so that reading the same record again
    /// (a redelivery) gives the same trace, not a new asking. The fallbacks are evaluated only
    /// when the field is missing.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer,
        fallbackMessageID: @autoclosure () -> String,
        fallbackTraceID: @autoclosure () -> String
    ) throws -> QuestionMessage {
        // One set of rules for both readers: the cache reads askings as `AskedQuestion`.
        try AskedQuestion.decode(bytes, fallbackMessageID: fallbackMessageID(), fallbackTraceID: fallbackTraceID())
            .message
    }
}

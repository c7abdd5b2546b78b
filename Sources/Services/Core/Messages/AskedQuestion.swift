/// An asking (`questions_in`) as the cache reads it: ids, source, time and attempts as values,
/// and the three texts (title, content, best answer) kept as the JSON strings they arrived as.
///
/// Most askings are answered from the cache, and the response carries the question's texts
/// unchanged: kept as JSON, they are copied into the response instead of being unescaped into
/// Strings and escaped again. `message` gives the whole `QuestionMessage` where a stage needs
/// the texts themselves (a miss, a remembered failure, a rerouted asking).
///
/// The texts hold the value `QuestionMessage.decode` reads: an ASCII string is kept as it
/// arrived (its escapes checked, so unescaping it gives that value), any other string is read
/// (invalid UTF-8 repaired) and written again.
public struct AskedQuestion: Sendable {
    public var messageID: String
    public var traceID: String
    public var questionID: String
    public var source: String
    public var createdAt: Timestamp
    public var attempts: Int
    /// Title, content and best answer as JSON strings (quotes included), back to back.
    private let texts: [UInt8]
    private let titleEnd: Int
    private let contentEnd: Int

    public init(_ message: QuestionMessage) {
        var writer = JSONWriter(capacity: Self.textCapacity(message.title, message.content, message.bestAnswer))
        writer.string(message.title)
        let titleEnd = writer.bytes.count
        writer.string(message.content)
        let contentEnd = writer.bytes.count
        writer.string(message.bestAnswer)
        self.init(messageID: message.messageID, traceID: message.traceID, questionID: message.questionID,
                  source: message.source, createdAt: message.createdAt, attempts: message.attempts,
                  texts: writer.bytes, titleEnd: titleEnd, contentEnd: contentEnd)
    }

    private init(messageID: String, traceID: String, questionID: String, source: String, createdAt: Timestamp,
                 attempts: Int, texts: [UInt8], titleEnd: Int, contentEnd: Int) {
        self.messageID = messageID
        self.traceID = traceID
        self.questionID = questionID
        self.source = source
        self.createdAt = createdAt
        self.attempts = attempts
        self.texts = texts
        self.titleEnd = titleEnd
        self.contentEnd = contentEnd
    }

    private static func textCapacity(_ a: String, _ b: String, _ c: String) -> Int {
        let total = a.utf8.count + b.utf8.count + c.utf8.count
        return total + total / 16 + 8
    }

    /// Reads an asking with `QuestionMessage.decode`'s rules and errors (see there): missing ids
    /// are the fallbacks, evaluated only when needed.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer,
        fallbackMessageID: @autoclosure () -> String,
        fallbackTraceID: @autoclosure () -> String
    ) throws -> AskedQuestion {
        try MessageFields.read(bytes) { fields in
            let messageID = try fields.optionalID("message_id", maximum: MessageDomain.maximumMessageIDBytes)
            let traceID = try fields.optionalID("trace_id")
            let questionID = try fields.identifier("question_id")
            var writer = JSONWriter(capacity: bytes.count)
            try fields.copyString("title", into: &writer)
            let titleEnd = writer.bytes.count
            try fields.copyString("content", into: &writer, default: "")
            let contentEnd = writer.bytes.count
            try fields.copyString("best_answer", into: &writer)
            return AskedQuestion(
                messageID: messageID ?? fallbackMessageID(),
                traceID: traceID ?? fallbackTraceID(),
                questionID: questionID,
                source: try fields.string("source", default: "manual"),
                createdAt: try fields.optionalTimestamp("created_at") ?? .now(),
                attempts: try fields.int("attempts", in: MessageDomain.attempts, default: 0),
                texts: writer.bytes, titleEnd: titleEnd, contentEnd: contentEnd)
        }
    }

    /// The whole message, its texts read from their JSON.
    public var message: QuestionMessage {
        withTexts { title, content, bestAnswer in
            QuestionMessage(messageID: messageID, traceID: traceID, questionID: questionID,
                            title: Self.text(title), content: Self.text(content), bestAnswer: Self.text(bestAnswer),
                            source: source, createdAt: createdAt, attempts: attempts)
        }
    }

    /// The asking as `questions_in` JSON, written with the texts as they are kept (so a sender
    /// asking the same question many times escapes its texts once).
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter(capacity: texts.count + 320)
        encode(into: &writer)
        return writer.bytes
    }

    /// The `questions_in` JSON of an asking.
    public func encode(into writer: inout JSONWriter) {
        Self.encode(into: &writer, messageID: messageID, traceID: traceID, questionID: questionID, source: source,
                    createdAt: createdAt, attempts: attempts) { writer in
            withTexts { title, content, bestAnswer in
                writer.key("title")
                writer.appendRaw(title)
                writer.key("content")
                writer.appendRaw(content)
                writer.key("best_answer")
                writer.appendRaw(bestAnswer)
            }
        }
    }

    /// The one field list of `questions_in` (`QuestionMessage.encode` writes through it too),
    /// with `writeTexts` writing the title, content and best answer fields in that order.
    static func encode(into writer: inout JSONWriter, messageID: String, traceID: String, questionID: String,
                       source: String, createdAt: Timestamp, attempts: Int,
                       texts writeTexts: (inout JSONWriter) -> Void) {
        writer.beginObject()
        writer.field("message_id", messageID)
        writer.field("trace_id", traceID)
        writer.field("question_id", questionID)
        writeTexts(&writer)
        writer.field("source", source)
        writer.field("created_at", createdAt)
        writer.field("attempts", attempts)
        writer.endObject()
    }

    /// The texts' bytes: UTF-8 JSON strings, quotes included.
    public var textBytes: Int { texts.count }

    /// Lends the title, the content and the best answer, each a JSON string (quotes included).
    public func withTexts<Result>(
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result {
        try texts.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[0..<titleEnd]),
                     UnsafeBufferPointer(rebasing: all[titleEnd..<contentEnd]),
                     UnsafeBufferPointer(rebasing: all[contentEnd...]))
        }
    }

    /// The text of a JSON string written by this type (valid: unescaping cannot fail).
    private static func text(_ json: UnsafeBufferPointer<UInt8>) -> String {
        let inner = UnsafeBufferPointer(rebasing: json[1..<(json.count - 1)])
        return (try? JSONScanner.string(inner, escaped: inner.contains(UInt8(ascii: "\\")))) ?? ""
    }
}

extension MessageFields {
    /// Writes field `name` to `writer` as a JSON string holding the value `string(_:)` reads
    /// (same errors): ASCII is copied as it arrived, escapes checked; other text is read
    /// (invalid UTF-8 repaired) and written again. With a default, an absent or null field is
    /// the default.
    mutating func copyString(_ name: StaticString, into writer: inout JSONWriter,
                             default defaultValue: String? = nil) throws {
        guard let value = value(name), !Self.isNull(value) || defaultValue == nil else {
            guard let defaultValue else { throw MessageDecodingError.missing(name) }
            writer.string(defaultValue)
            return
        }
        let raw = try Self.checkedString(value, name)
        if JSONScanner.isASCII(raw.raw) {
            writer.appendRaw(quoted: raw.raw)
        } else {
            writer.string(raw.string())
        }
    }

    private static func isNull(_ value: JSONScanner.Value) -> Bool {
        if case .null = value { return true }
        return false
    }
}

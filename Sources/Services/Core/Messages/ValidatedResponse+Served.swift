extension ValidatedResponse {
    /// The JSON of the response that answers `question` from a decision made before (source
    /// `cache`, `storage` or `coalesced`): the same bytes as
    /// `ValidatedResponse(question.message.context(prompt: ""), ...)` with `firstScore` =
    /// `score`, no attempt and no LLM call, decided at `decidedAt`, written straight from the
    /// asking as the cache read it (its texts copied as they arrived) and the answer's JSON.
    /// Most askings are answered so, and the answer is escaped once, when it is cached, rather
    /// than once per asking.
    public static func servedJSON(answering question: AskedQuestion, llmAnswer: JSONEncodedString, score: Double,
                                  status: Status, source: Source, decidedAt: Timestamp = .now()) -> [UInt8] {
        var writer = JSONWriter(capacity: question.textBytes + llmAnswer.bytes.count + 512)
        writer.beginObject()
        writer.field("source", source.rawValue)
        writer.field("attempts", 0)
        writer.field("message_id", messageID(forTrace: question.traceID))
        writer.field("trace_id", question.traceID)
        writer.field("question_id", question.questionID)
        question.withTexts { title, content, bestAnswer in
            writer.key("title")
            writer.appendRaw(title)
            writer.key("content")
            writer.appendRaw(content)
            writer.field("llm_answer", llmAnswer)
            writer.key("best_answer")
            writer.appendRaw(bestAnswer)
        }
        writer.field("score", score)
        writer.field("accepted", status == .accepted)
        writer.field("decided_at", decidedAt)
        writer.field("status", status.rawValue)
        writer.field("first_score", score)
        writer.field("created_at", question.createdAt)
        writer.field("llm_calls", 0)
        LLMUsage.zero.write(into: &writer)
        writer.endObject()
        return writer.bytes
    }
}

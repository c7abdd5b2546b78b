extension ValidatedResponse {
    /// The JSON of the response that answers `question` from a decision made before (source
    /// `cache`, `storage` or `coalesced`): the same bytes as
    /// `ValidatedResponse(question.context(prompt: ""), ...)` with `firstScore` = `score`, no
    /// attempt and no LLM call, decided at `decidedAt`, written straight from the question and
    /// the answer's JSON. Most askings are answered so, and the answer is escaped once, when it
    /// is cached, rather than once per asking.
    public static func servedJSON(answering question: QuestionMessage, llmAnswer: JSONEncodedString, score: Double,
                                  status: Status, source: Source, decidedAt: Timestamp = .now()) -> [UInt8] {
        let capacity = encodedSizeEstimate(texts: question.title, question.content, question.bestAnswer)
            + llmAnswer.bytes.count
        var writer = JSONWriter(capacity: capacity)
        writer.beginObject()
        writer.field("message_id", messageID(forTrace: question.traceID))
        writer.field("trace_id", question.traceID)
        writer.field("question_id", question.questionID)
        writer.field("title", question.title)
        writer.field("content", question.content)
        writer.field("llm_answer", llmAnswer)
        writer.field("best_answer", question.bestAnswer)
        writer.field("score", score)
        writer.field("accepted", status == .accepted)
        writer.field("source", source.rawValue)
        writer.field("attempts", 0)
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

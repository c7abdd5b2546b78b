/// What an `LLMBackend` is asked: one question, one attempt.
public struct LLMCompletionRequest: Equatable, Sendable {
    public var questionID: String
    public var title: String
    public var content: String
    /// The text sent to the model as the user message.
    public var prompt: String
    /// The pipeline's attempt for this question: 1 for the first answer, 2 for the first
    /// regeneration, and so on.
    public var attempt: Int
    /// The human best answer. Only `OfflineLLM` reads it (to stand in for a model's knowledge);
    /// real backends never send it.
    public var referenceAnswer: String
    /// The in-place try within this attempt: 0 for the first call, 1 for the first retry after an
    /// overload or quota error (set by the caller of `withRetries`).
    public var retry: Int

    public init(questionID: String, title: String, content: String, prompt: String? = nil, attempt: Int,
                referenceAnswer: String = "", retry: Int = 0) {
        self.questionID = questionID
        self.title = title
        self.content = content
        self.prompt = prompt ?? Self.prompt(title: title, content: content)
        self.attempt = attempt
        self.referenceAnswer = referenceAnswer
        self.retry = retry
    }

    /// This request as try number `retry` of the same attempt.
    public func retrying(_ retry: Int) -> LLMCompletionRequest {
        var copy = self
        copy.retry = retry
        return copy
    }

    /// The default user prompt for a question: its title, then its details when there are any.
    /// The dataset writes newlines as the two characters `\n`; they are turned back into newlines.
    public static func prompt(title: String, content: String) -> String {
        let details = content.replacing("\\n", with: "\n").trimmingBlanks()
        let question = title.replacing("\\n", with: "\n").trimmingBlanks()
        return details.isEmpty
            ? "Answer this question from Yahoo! Answers.\n\nQuestion: \(question)"
            : "Answer this question from Yahoo! Answers.\n\nQuestion: \(question)\n\nDetails: \(details)"
    }
}

/// What every message of one question's trace carries unchanged, from the asking to the
/// decision: the ids, the question's text, the reference answer, when it was asked and, once
/// known, the score of the first attempt. Each message of the chain is made from the one
/// before it through this value and the constructors beside each message type (the next
/// attempt, a retry, a failure), so no stage copies these fields by hand.
public struct QuestionContext: Sendable, Equatable {
    public var traceID: String
    public var questionID: String
    public var title: String
    public var content: String
    /// The prompt sent to the LLM; empty until the first request is made.
    public var prompt: String
    public var bestAnswer: String
    /// When the question was asked.
    public var createdAt: Timestamp
    /// The score of attempt 1, once known.
    public var firstScore: Double?

    public init(traceID: String, questionID: String, title: String, content: String, prompt: String = "",
                bestAnswer: String, createdAt: Timestamp, firstScore: Double? = nil) {
        self.traceID = traceID
        self.questionID = questionID
        self.title = title
        self.content = content
        self.prompt = prompt
        self.bestAnswer = bestAnswer
        self.createdAt = createdAt
        self.firstScore = firstScore
    }
}

extension QuestionMessage {
    /// The context of this asking's chain, with the prompt its first request sends.
    public func context(prompt: String) -> QuestionContext {
        QuestionContext(traceID: traceID, questionID: questionID, title: title, content: content, prompt: prompt,
                        bestAnswer: bestAnswer, createdAt: createdAt)
    }
}

extension LLMRequest {
    public var context: QuestionContext {
        QuestionContext(traceID: traceID, questionID: questionID, title: title, content: content, prompt: prompt,
                        bestAnswer: bestAnswer, createdAt: createdAt, firstScore: firstScore)
    }

    /// Attempt `attempts` of the question in `context` (1 for the first answer), re-issued
    /// `retries` times after LLM errors.
    public init(_ context: QuestionContext, attempts: Int, retries: Int = 0) {
        self.init(traceID: context.traceID, questionID: context.questionID, title: context.title,
                  content: context.content, prompt: context.prompt, bestAnswer: context.bestAnswer,
                  attempts: attempts, createdAt: context.createdAt, firstScore: context.firstScore, retries: retries)
    }
}

extension LLMResponse {
    public var context: QuestionContext {
        QuestionContext(traceID: traceID, questionID: questionID, title: title, content: content, prompt: prompt,
                        bestAnswer: bestAnswer, createdAt: createdAt, firstScore: firstScore)
    }

    /// The LLM's answer to `request`.
    public init(answering request: LLMRequest, llmAnswer: String, latencyMs: Double) {
        let context = request.context
        self.init(traceID: context.traceID, questionID: context.questionID, title: context.title,
                  content: context.content, prompt: context.prompt, llmAnswer: llmAnswer, bestAnswer: context.bestAnswer,
                  latencyMs: latencyMs, attempts: request.attempts, createdAt: context.createdAt,
                  firstScore: context.firstScore)
    }
}

extension RegenerationRequest {
    public var context: QuestionContext {
        QuestionContext(traceID: traceID, questionID: questionID, title: title, content: content, prompt: prompt,
                        bestAnswer: bestAnswer, createdAt: createdAt, firstScore: firstScore)
    }

    /// Asks for another answer after `response` scored `score` (below the threshold); the
    /// context carries `firstScore`, the score of attempt 1.
    public init(after response: LLMResponse, score: Double, firstScore: Double) {
        var context = response.context
        context.firstScore = firstScore
        self.init(traceID: context.traceID, questionID: context.questionID, title: context.title,
                  content: context.content, prompt: context.prompt, bestAnswer: context.bestAnswer,
                  attempts: response.attempts, createdAt: context.createdAt, firstScore: firstScore,
                  previousScore: score)
    }

    /// The request of the next attempt.
    public var nextAttempt: LLMRequest { LLMRequest(context, attempts: attempts.saturatingAdd(1)) }
}

extension ErrorMessage {
    public var context: QuestionContext {
        QuestionContext(traceID: traceID, questionID: questionID, title: title, content: content, prompt: prompt,
                        bestAnswer: bestAnswer, createdAt: createdAt, firstScore: firstScore)
    }

    /// `request` failed with an error of class `kind`; a retry is due at `retryAt`.
    public init(failing request: LLMRequest, kind: LLMErrorKind, detail: String, retryAt: Timestamp) {
        let context = request.context
        self.init(traceID: context.traceID, questionID: context.questionID, errorType: kind.rawValue,
                  errorDetail: detail, attempts: request.attempts, retryAt: retryAt, retries: request.retries,
                  title: context.title, content: context.content, prompt: context.prompt,
                  bestAnswer: context.bestAnswer, createdAt: context.createdAt, firstScore: context.firstScore)
    }

    /// The same attempt, issued once more.
    public var retry: LLMRequest { LLMRequest(context, attempts: attempts, retries: retries.saturatingAdd(1)) }

    /// The decision that the question could not be answered: stored as failed.
    public var failure: ValidatedResponse {
        ValidatedResponse(context, llmAnswer: "", score: 0, status: .failed, source: .failed, attempts: attempts,
                          llmCalls: max(0, attempts.saturatingAdd(-1)))
    }
}

extension ValidatedResponse {
    public var context: QuestionContext {
        QuestionContext(traceID: traceID, questionID: questionID, title: title, content: content,
                        bestAnswer: bestAnswer, createdAt: createdAt, firstScore: firstScore)
    }

    /// The decision of the trace in `context`; its message id is the trace's, so a decision
    /// made twice (a redelivery) is recognised by the store.
    public init(_ context: QuestionContext, llmAnswer: String, score: Double, status: Status, source: Source,
                attempts: Int, llmCalls: Int) {
        self.init(messageID: ValidatedResponse.messageID(forTrace: context.traceID), traceID: context.traceID,
                  questionID: context.questionID, title: context.title, content: context.content,
                  llmAnswer: llmAnswer, bestAnswer: context.bestAnswer, score: score,
                  accepted: status == .accepted, source: source, attempts: attempts, status: status,
                  firstScore: context.firstScore, createdAt: context.createdAt, llmCalls: llmCalls)
    }
}

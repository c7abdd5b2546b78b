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
    /// The tokens of the chain's LLM calls so far: each answer adds its call's, and every later
    /// message of the chain carries the sum to the decision.
    public var usage: LLMUsage

    public init(traceID: String, questionID: String, title: String, content: String, prompt: String = "",
                bestAnswer: String, createdAt: Timestamp, firstScore: Double? = nil, usage: LLMUsage = .zero) {
        self.traceID = traceID
        self.questionID = questionID
        self.title = title
        self.content = content
        self.prompt = prompt
        self.bestAnswer = bestAnswer
        self.createdAt = createdAt
        self.firstScore = firstScore
        self.usage = usage
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
                        bestAnswer: bestAnswer, createdAt: createdAt, firstScore: firstScore, usage: usage)
    }

    /// Attempt `attempts` of the question in `context` (1 for the first answer), re-issued
    /// `retries` times after LLM errors.
    public init(_ context: QuestionContext, attempts: Int, retries: Int = 0) {
        self.init(traceID: context.traceID, questionID: context.questionID, title: context.title,
                  content: context.content, prompt: context.prompt, bestAnswer: context.bestAnswer,
                  attempts: attempts, createdAt: context.createdAt, firstScore: context.firstScore, retries: retries,
                  usage: context.usage)
    }
}

extension LLMResponse {
    public var context: QuestionContext {
        QuestionContext(traceID: traceID, questionID: questionID, title: title, content: content, prompt: prompt,
                        bestAnswer: bestAnswer, createdAt: createdAt, firstScore: firstScore, usage: usage)
    }

    /// The LLM's answer to `request`, given at the cost of `usage` tokens: the chain's tokens
    /// are the request's and these.
    public init(answering request: LLMRequest, llmAnswer: String, latencyMs: Double, usage: LLMUsage = .zero) {
        let context = request.context
        self.init(traceID: context.traceID, questionID: context.questionID, title: context.title,
                  content: context.content, prompt: context.prompt, llmAnswer: llmAnswer, bestAnswer: context.bestAnswer,
                  latencyMs: latencyMs, attempts: request.attempts, createdAt: context.createdAt,
                  firstScore: context.firstScore, usage: context.usage.adding(usage))
    }
}

extension RegenerationRequest {
    public var context: QuestionContext {
        QuestionContext(traceID: traceID, questionID: questionID, title: title, content: content, prompt: prompt,
                        bestAnswer: bestAnswer, createdAt: createdAt, firstScore: firstScore, usage: usage)
    }

    /// Asks for another answer after `response` scored `score` (below the threshold); the
    /// context carries `firstScore`, the score of attempt 1.
    public init(after response: LLMResponse, score: Double, firstScore: Double) {
        var context = response.context
        context.firstScore = firstScore
        self.init(traceID: context.traceID, questionID: context.questionID, title: context.title,
                  content: context.content, prompt: context.prompt, bestAnswer: context.bestAnswer,
                  attempts: response.attempts, createdAt: context.createdAt, firstScore: firstScore,
                  previousScore: score, usage: context.usage)
    }

    /// The request of the next attempt.
    public var nextAttempt: LLMRequest { LLMRequest(context, attempts: attempts.saturatingAdd(1)) }
}

extension ErrorMessage {
    public var context: QuestionContext {
        QuestionContext(traceID: traceID, questionID: questionID, title: title, content: content, prompt: prompt,
                        bestAnswer: bestAnswer, createdAt: createdAt, firstScore: firstScore, usage: usage)
    }

    /// `request` failed with an error of class `kind`; a retry is due at `retryAt`.
    public init(failing request: LLMRequest, kind: LLMErrorKind, detail: String, retryAt: Timestamp) {
        let context = request.context
        self.init(traceID: context.traceID, questionID: context.questionID, errorType: kind.rawValue,
                  errorDetail: detail, attempts: request.attempts, retryAt: retryAt, retries: request.retries,
                  title: context.title, content: context.content, prompt: context.prompt,
                  bestAnswer: context.bestAnswer, createdAt: context.createdAt, firstScore: context.firstScore,
                  usage: context.usage)
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
                        bestAnswer: bestAnswer, createdAt: createdAt, firstScore: firstScore, usage: usage)
    }

    /// The decision of the trace in `context`; its message id is the trace's, so a decision
    /// made twice (a redelivery) is recognised by the store.
    public init(_ context: QuestionContext, llmAnswer: String, score: Double, status: Status, source: Source,
                attempts: Int, llmCalls: Int) {
        self.init(messageID: ValidatedResponse.messageID(forTrace: context.traceID), traceID: context.traceID,
                  questionID: context.questionID, title: context.title, content: context.content,
                  llmAnswer: llmAnswer, bestAnswer: context.bestAnswer, score: score,
                  accepted: status == .accepted, source: source, attempts: attempts, status: status,
                  firstScore: context.firstScore, createdAt: context.createdAt, llmCalls: llmCalls,
                  usage: context.usage)
    }
}

import VeredictoCore
/// One decided asking of a question, as the store applies it (from a ValidatedResponse).
public struct Decision: Sendable, Equatable {
    public var messageID: String
    public var traceID: String
    public var questionID: String
    public var title: String
    public var content: String
    public var bestAnswer: String
    public var llmAnswer: String
    public var score: Double
    public var firstScore: Double
    public var attempts: Int
    public var status: ResultStatus
    public var source: DecisionSource
    public var createdAt: Int64   // ms since the epoch: when the question was asked
    public var decidedAt: Int64
    /// When the question was asked, in microseconds, when the decision came from a message (its
    /// `created_at` carries microseconds): the end-to-end latency is then measured in microseconds.
    public var createdAtMicroseconds: Int64?
    public var llmCalls: Int
    /// The tokens of the LLM calls this decision's chain made (none for an asking answered
    /// without calling the LLM).
    public var usage: LLMUsage = .zero

    public init(messageID: String, traceID: String, questionID: String, title: String, content: String,
                bestAnswer: String, llmAnswer: String, score: Double, firstScore: Double, attempts: Int,
                status: ResultStatus, source: DecisionSource, createdAt: Int64, decidedAt: Int64, llmCalls: Int) {
        self.messageID = messageID
        self.traceID = traceID
        self.questionID = questionID
        self.title = title
        self.content = content
        self.bestAnswer = bestAnswer
        self.llmAnswer = llmAnswer
        self.score = score
        self.firstScore = firstScore
        self.attempts = attempts
        self.status = status
        self.source = source
        self.createdAt = createdAt
        self.decidedAt = decidedAt
        self.llmCalls = llmCalls
    }

    /// Regenerations this decision took (LLM attempts after the first).
    public var regenerations: Int { source == .score ? max(0, attempts.saturatingAdd(-1)) : 0 }

    /// The way this asking went through the pipeline.
    public var path: DecisionPath {
        switch source {
        case .cache, .storage: .cached
        case .coalesced: .coalesced
        case .failed: .failed
        case .score: .answered(attempts: max(1, attempts))
        }
    }
}

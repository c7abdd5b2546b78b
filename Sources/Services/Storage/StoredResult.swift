/// How a question's answer was decided (the `status` of a ValidatedResponse).
public typealias ResultStatus = ValidatedResponse.Status

/// Where the answer of one asking came from (the `source` of a ValidatedResponse).
public typealias DecisionSource = ValidatedResponse.Source

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
    public var llmCalls: Int

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
    public var regenerations: Int { source == .score ? max(0, attempts - 1) : 0 }

    /// The way this asking went through the pipeline.
    public var path: DecisionPath {
        switch source {
        case .cache, .storage: .cached
        case .failed: .failed
        case .score: .answered(attempts: max(1, attempts))
        }
    }
}

/// The way an asking went through the pipeline. It sets how many topics the asking crossed,
/// and so its end-to-end latency: run summaries and the benchmark give latencies per path.
public enum DecisionPath: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Served by the cache or from storage.
    case cached
    /// Answered by the LLM and decided by the score service at this attempt (accepted, or
    /// forced at the retry cap).
    case answered(attempts: Int)
    /// The LLM kept failing: stored as failed after the llm_errors retries.
    case failed

    /// Topics crossed from the generator to the store: questions_in and validated_responses,
    /// plus llm_requests and llm_responses for the first attempt, plus regeneration_requests,
    /// llm_requests and llm_responses for each further one. Nil for failed askings (their
    /// way through llm_errors varies).
    public var topics: Int? {
        switch self {
        case .cached: 2
        case .answered(let attempts): 4 + 3 * (attempts - 1)
        case .failed: nil
        }
    }

    private var order: Int {
        switch self {
        case .cached: 0
        case .answered(let attempts): attempts
        case .failed: Int.max
        }
    }

    public static func < (lhs: DecisionPath, rhs: DecisionPath) -> Bool { lhs.order < rhs.order }

    /// The description with the topics crossed: "LLM, 3 attempts, 10 topics".
    public var descriptionWithTopics: String {
        description + (topics.map { ", \($0) topics" } ?? "")
    }

    /// The path as a metric label: `cache`, `llm_1`, `llm_2`, ..., `failed`.
    public var label: String {
        switch self {
        case .cached: "cache"
        case .answered(let attempts): "llm_\(attempts)"
        case .failed: "failed"
        }
    }

    public var description: String {
        switch self {
        case .cached: "cache"
        case .answered(let attempts): attempts == 1 ? "LLM, 1 attempt" : "LLM, \(attempts) attempts"
        case .failed: "failed"
        }
    }
}

/// The `results` document of one question: its first decision, and counters of every
/// asking since.
public struct StoredResult: Sendable, Equatable {
    public var decision: Decision       // the first decision, which the answer fields come from
    public var storedAt: Int64
    public var timesAsked: Int
    public var served: [DecisionSource: Int]
    public var llmCalls: Int
    public var regenerations: Int

    public var e2eLatencyMilliseconds: Double { Double(storedAt - decision.createdAt) }
}

/// A document written field by field. The MongoDB `results` document (BSON) and a line of
/// results.jsonl (JSON) name the same fields: `StoredResult.writeFields` writes them once for both.
protocol ResultFieldWriter {
    mutating func string(_ key: StaticString, _ value: String)
    mutating func double(_ key: StaticString, _ value: Double)
    mutating func integer(_ key: StaticString, _ value: Int)
    mutating func date(_ key: StaticString, milliseconds: Int64)
}

extension Decision {
    /// The answer's fields: what a result keeps of the decision that answered it, and what a
    /// result stored as failed takes from the first answer that comes later.
    func writeAnswer(to writer: inout some ResultFieldWriter) {
        writer.string("llm_answer", llmAnswer)
        writer.double("score", score)
        writer.double("first_score", firstScore)
        writer.integer("attempts", attempts)
        writer.string("status", status.rawValue)
        writer.string("source", source.rawValue)
    }
}

extension StoredResult {
    /// The fields results.jsonl and the MongoDB `results` document share, in their order; each
    /// adds its own after them (the document also has _id first, then served and message_id).
    func writeFields(to writer: inout some ResultFieldWriter) {
        let d = decision
        writer.string("question_id", d.questionID)
        writer.string("trace_id", d.traceID)
        writer.string("title", d.title)
        writer.string("content", d.content)
        writer.string("best_answer", d.bestAnswer)
        d.writeAnswer(to: &writer)
        writer.date("created_at", milliseconds: d.createdAt)
        writer.date("decided_at", milliseconds: d.decidedAt)
        writer.date("stored_at", milliseconds: storedAt)
        writer.double("e2e_latency_ms", e2eLatencyMilliseconds)
        writer.integer("times_asked", timesAsked)
    }
}

/// The `metrics` document: every figure is a sum over `results` (or a ratio of two), so it
/// always agrees with them.
public struct PipelineMetrics: Sendable, Equatable {
    public var questions = 0          // documents in results
    public var asked = 0              // sum of times_asked
    public var accepted = 0
    public var forced = 0
    public var failed = 0
    public var bySource: [DecisionSource: Int] = [:]  // askings served from each source
    public var scoreSum = 0.0         // over results (the first decision's score)
    public var firstScoreSum = 0.0
    public var regenerations = 0
    public var llmCalls = 0

    public init() {}

    public var scoreMean: Double { questions > 0 ? scoreSum / Double(questions) : 0 }
    public var firstScoreMean: Double { questions > 0 ? firstScoreSum / Double(questions) : 0 }

    public mutating func add(_ other: PipelineMetrics) {
        questions += other.questions
        asked += other.asked
        accepted += other.accepted
        forced += other.forced
        failed += other.failed
        for (source, count) in other.bySource { bySource[source, default: 0] += count }
        scoreSum += other.scoreSum
        firstScoreSum += other.firstScoreSum
        regenerations += other.regenerations
        llmCalls += other.llmCalls
    }
}

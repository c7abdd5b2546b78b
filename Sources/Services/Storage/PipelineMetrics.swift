import VeredictoCore
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
    /// The tokens of every result's LLM calls (their sum).
    public var usage = LLMUsage.zero

    public init() {}

    public var scoreMean: Double { questions > 0 ? scoreSum / Double(questions) : 0 }
    public var firstScoreMean: Double { questions > 0 ? firstScoreSum / Double(questions) : 0 }

    /// The `metrics` document's fields, in their order: written once for MongoDB and metrics.json.
    /// `cost` is the tokens' price at `prices`, left out when the writer does not know them.
    package func writeFields(to writer: inout some ResultFieldWriter, updatedAt: Int64, prices: LLMPrices?) {
        writer.string("_id", "global")
        writer.integer("questions", questions)
        writer.integer("asked", asked)
        writer.integer("accepted", accepted)
        writer.integer("forced", forced)
        writer.integer("failed", failed)
        writer.counts("by_source", DecisionSource.allCases.map { ($0.rawValue, bySource[$0, default: 0]) })
        writer.double("score_sum", scoreSum)
        writer.double("score_mean", scoreMean)
        writer.double("first_score_sum", firstScoreSum)
        writer.double("first_score_mean", firstScoreMean)
        writer.integer("regenerations", regenerations)
        writer.integer("llm_calls", llmCalls)
        usage.writeFields(to: &writer, prices: prices)
        writer.date("updated_at", milliseconds: updatedAt)
    }

    public mutating func add(_ other: PipelineMetrics) {
        // Saturating: the sums must not trap, whatever the counts they are given.
        questions.saturatingIncrement(by: other.questions)
        asked.saturatingIncrement(by: other.asked)
        accepted.saturatingIncrement(by: other.accepted)
        forced.saturatingIncrement(by: other.forced)
        failed.saturatingIncrement(by: other.failed)
        for (source, count) in other.bySource { bySource[source, default: 0].saturatingIncrement(by: count) }
        scoreSum += other.scoreSum
        firstScoreSum += other.firstScoreSum
        regenerations.saturatingIncrement(by: other.regenerations)
        llmCalls.saturatingIncrement(by: other.llmCalls)
        usage = usage.summed(with: other.usage)
    }
}

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

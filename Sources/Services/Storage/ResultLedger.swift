import VeredictoCore
/// The store's rules, shared by every backend so they agree: how a batch of decisions
/// changes `results` and `metrics`.
///
/// - A decision whose message_id was applied before changes nothing (redelivery).
/// - The first decision of a question creates its result; later ones (repeats served from
///   the cache or storage, or a second LLM decision of a question asked twice at once)
///   only count: times_asked, served-by-source, LLM calls, regenerations and LLM tokens.
public enum ResultLedger {
    public struct Outcome: Sendable {
        /// Results to create, by question_id.
        public var created: [String: StoredResult] = [:]
        /// Existing results recorded as failed that a later answer replaces, by question_id
        /// (their counters change through `increments` as for any repeat).
        public var upgrades: [String: Decision] = [:]
        /// Counters to add to existing results, by question_id.
        public var increments: [String: ResultIncrement] = [:]
        public var metrics = PipelineMetrics()
        /// Message ids applied now (to record), in batch order.
        public var appliedIDs: [String] = []
        /// Redelivered decisions skipped.
        public var duplicates = 0
        /// End-to-end latency (question created -> persisted) of each applied decision, ms.
        public var latencies: [Double] = []
        /// The path of each of those decisions (same order as `latencies`).
        public var paths: [DecisionPath] = []

        public init() {}
    }

    /// What a repeated asking adds to an existing result.
    public struct ResultIncrement: Sendable, Equatable {
        public var timesAsked = 0
        public var served: [DecisionSource: Int] = [:]
        public var llmCalls = 0
        public var regenerations = 0
        public var usage = LLMUsage.zero
        /// What the store held before this batch (asked once per question and batch).
        var existing: Existing?

        public init(timesAsked: Int = 0, served: [DecisionSource: Int] = [:], llmCalls: Int = 0, regenerations: Int = 0,
                    usage: LLMUsage = .zero) {
            self.timesAsked = timesAsked
            self.served = served
            self.llmCalls = llmCalls
            self.regenerations = regenerations
            self.usage = usage
        }

        /// Adds one asking decided by `decision`.
        mutating func count(_ decision: Decision) {
            timesAsked += 1
            served[decision.source, default: 0] += 1
            llmCalls.saturatingIncrement(by: decision.llmCalls)
            regenerations.saturatingIncrement(by: decision.regenerations)
            usage = usage.summed(with: decision.usage)
        }

        public static func == (lhs: ResultIncrement, rhs: ResultIncrement) -> Bool {
            lhs.timesAsked == rhs.timesAsked && lhs.served == rhs.served && lhs.llmCalls == rhs.llmCalls
                && lhs.regenerations == rhs.regenerations && lhs.usage == rhs.usage
        }
    }

    /// What the ledger needs to know of a stored result.
    public struct Existing: Sendable, Equatable {
        public var status: ResultStatus
        public var score: Double
        public var firstScore: Double
        public init(status: ResultStatus, score: Double, firstScore: Double) {
            self.status = status
            self.score = score
            self.firstScore = firstScore
        }
    }

    /// Applies `decisions` given the batch's questions that already have a result and the
    /// message ids already applied. A question recorded as failed takes the first answer that
    /// comes later (its status and score move in the metrics accordingly).
    public static func apply(_ decisions: [Decision], existing: [String: Existing], alreadyApplied: Set<String>,
                             storedAt: Int64, storedAtMicroseconds: Int64? = nil) -> Outcome {
        apply(decisions, existing: { existing[$0] }, isApplied: { alreadyApplied.contains($0) }, storedAt: storedAt,
              storedAtMicroseconds: storedAtMicroseconds)
    }

    /// As above, with lookups instead of prepared collections (a store that holds its results
    /// in memory answers them directly). `existing` is asked at most once per decision.
    /// With `storedAtMicroseconds`, a decision that knows its question's creation in microseconds
    /// gets its latency in microseconds (as fractional milliseconds).
    public static func apply(_ decisions: [Decision], existing: (String) -> Existing?, isApplied: (String) -> Bool,
                             storedAt: Int64, storedAtMicroseconds: Int64? = nil) -> Outcome {
        var outcome = Outcome()
        outcome.appliedIDs.reserveCapacity(decisions.count)
        outcome.latencies.reserveCapacity(decisions.count)
        outcome.paths.reserveCapacity(decisions.count)
        // Sized once: grown from empty, these tables were rehashed several times per batch.
        outcome.created.reserveCapacity(decisions.count)
        outcome.increments.reserveCapacity(decisions.count)
        var seen = MessageIDSet(minimumCapacity: decisions.count)
        for decision in decisions {
            guard !isApplied(decision.messageID), seen.insert(decision.messageID) else {
                outcome.duplicates += 1
                continue
            }
            outcome.appliedIDs.append(decision.messageID)
            if let storedAtMicroseconds, let createdAtMicroseconds = decision.createdAtMicroseconds {
                outcome.latencies.append((Double(storedAtMicroseconds) - Double(createdAtMicroseconds)) / 1000)
            } else {
                outcome.latencies.append(Double(storedAt) - Double(decision.createdAt))
            }
            outcome.paths.append(decision.path)
            outcome.metrics.asked += 1
            outcome.metrics.bySource[decision.source, default: 0] += 1
            outcome.metrics.llmCalls.saturatingIncrement(by: decision.llmCalls)
            outcome.metrics.regenerations.saturatingIncrement(by: decision.regenerations)
            outcome.metrics.usage = outcome.metrics.usage.summed(with: decision.usage)
            if let index = outcome.created.index(forKey: decision.questionID) {
                // Asked again within this batch, after its first decision.
                let created = outcome.created.values[index]
                if created.decision.status == .failed && decision.status != .failed {
                    outcome.metrics.replaceFailed(created.decision, with: decision)
                    outcome.created.values[index].decision = decision
                }
                outcome.created.values[index].timesAsked += 1
                outcome.created.values[index].served[decision.source, default: 0] += 1
                outcome.created.values[index].llmCalls.saturatingIncrement(by: decision.llmCalls)
                outcome.created.values[index].regenerations.saturatingIncrement(by: decision.regenerations)
                outcome.created.values[index].usage = outcome.created.values[index].usage.summed(with: decision.usage)
                continue
            }
            // Changed in place: one hash lookup per repeat, and no copy of the increment.
            var index = outcome.increments.index(forKey: decision.questionID)
            if index == nil {
                guard let old = existing(decision.questionID) else {
                    outcome.created[decision.questionID] = StoredResult(
                        decision: decision, storedAt: storedAt, timesAsked: 1, served: [decision.source: 1],
                        llmCalls: decision.llmCalls, regenerations: decision.regenerations, usage: decision.usage)
                    outcome.metrics.questions += 1
                    switch decision.status {
                    case .accepted: outcome.metrics.accepted += 1
                    case .forced: outcome.metrics.forced += 1
                    case .failed: outcome.metrics.failed += 1
                    }
                    outcome.metrics.scoreSum += decision.score
                    outcome.metrics.firstScoreSum += decision.firstScore
                    continue
                }
                var increment = ResultIncrement()
                increment.existing = old
                outcome.increments[decision.questionID] = increment
                index = outcome.increments.index(forKey: decision.questionID)
            }
            guard let index else { continue }
            if let old = outcome.increments.values[index].existing, old.status == .failed, decision.status != .failed,
               outcome.upgrades[decision.questionID] == nil {
                outcome.metrics.replaceFailed(
                    Decision(messageID: "", traceID: "", questionID: decision.questionID, title: "", content: "",
                             bestAnswer: "", llmAnswer: "", score: old.score, firstScore: old.firstScore, attempts: 0,
                             status: .failed, source: .failed, createdAt: 0, decidedAt: 0, llmCalls: 0),
                    with: decision)
                outcome.upgrades[decision.questionID] = decision
            }
            outcome.increments.values[index].count(decision)
        }
        return outcome
    }
}

/// Persists decided answers: idempotently (a redelivered decision changes nothing) and
/// atomically per batch (results and metrics always agree).
public protocol ResultStore: Sendable {
    /// Applies a batch of decisions; returns what was applied.
    @discardableResult
    func apply(_ decisions: [Decision]) async throws -> ResultLedger.Outcome
    /// The stored results of some questions (for the cache's storage lookups).
    func results(for questionIDs: [String]) async throws -> [String: StoredResult]
    /// The metrics document.
    func metrics() async throws -> PipelineMetrics
}

extension PipelineMetrics {
    /// A failed result takes an answer: its status and scores change, the counts of askings do not.
    mutating func replaceFailed(_ old: Decision, with new: Decision) {
        failed -= 1
        if new.status == .accepted { accepted += 1 } else { forced += 1 }
        scoreSum += new.score - old.score
        firstScoreSum += new.firstScore - old.firstScore
    }
}

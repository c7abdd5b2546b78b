import VeredictoCore
/// The result store of the embedded mode: the same rules as the MongoDB store, in memory.
public actor InMemoryResultStore: ResultStore {
    private var stored: [String: StoredResult] = [:]
    private var applied = MessageIDSet()
    private var totals = PipelineMetrics()
    /// Milliseconds since the epoch; nil: `Timestamp.now()`, read in microseconds.
    private let clock: (@Sendable () -> Int64)?

    public init(clock: (@Sendable () -> Int64)? = nil) {
        self.clock = clock
    }

    @discardableResult
    public func apply(_ decisions: [Decision]) async throws -> ResultLedger.Outcome {
        let now = Timestamp.now()
        let storedAt = clock.map { (milliseconds: $0(), microseconds: Int64?.none) }
            ?? (milliseconds: now.millisecondsSinceEpoch, microseconds: now.microsecondsSinceEpoch)
        let outcome = ResultLedger.apply(
            decisions,
            existing: { id in
                stored[id].map { .init(status: $0.decision.status, score: $0.decision.score, firstScore: $0.decision.firstScore) }
            },
            isApplied: { applied.contains($0) }, storedAt: storedAt.milliseconds, storedAtMicroseconds: storedAt.microseconds)
        for (id, result) in outcome.created { stored[id] = result }
        for (id, decision) in outcome.upgrades { stored[id]!.decision = decision }
        for (id, increment) in outcome.increments {
            guard let index = stored.index(forKey: id) else { continue }
            stored.values[index].timesAsked += increment.timesAsked
            for (source, count) in increment.served { stored.values[index].served[source, default: 0] += count }
            stored.values[index].llmCalls.saturatingIncrement(by: increment.llmCalls)
            stored.values[index].regenerations.saturatingIncrement(by: increment.regenerations)
            stored.values[index].usage = stored.values[index].usage.summed(with: increment.usage)
        }
        for id in outcome.appliedIDs { applied.insert(id) }
        totals.add(outcome.metrics)
        return outcome
    }

    public func results(for questionIDs: [String]) async throws -> [String: StoredResult] {
        var out: [String: StoredResult] = [:]
        for id in questionIDs { out[id] = stored[id] }
        return out
    }

    public func metrics() async throws -> PipelineMetrics { totals }

    /// Every stored result (for reports and tests).
    public func allResults() -> [StoredResult] { Array(stored.values) }
}

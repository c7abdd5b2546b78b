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
                // Read in place (an inout access): a copy of the stored result, which the plain
                // subscript makes, would retain each of its strings for three numbers.
                guard let index = stored.index(forKey: id) else { return nil }
                return Self.existing(&stored.values[index])
            },
            isApplied: { applied.contains($0) }, storedAt: storedAt.milliseconds, storedAtMicroseconds: storedAt.microseconds)
        for (id, result) in outcome.created { stored[id] = result }
        for (id, decision) in outcome.upgrades { stored[id]!.decision = decision }
        for (id, increment) in outcome.increments {
            guard let index = stored.index(forKey: id) else { continue }
            Self.add(increment, to: &stored.values[index])
        }
        for id in outcome.appliedIDs { applied.insert(id) }
        totals.add(outcome.metrics)
        return outcome
    }

    /// Changes the result in place (reading a field through the values' subscript would copy
    /// the whole result first).
    private static func add(_ increment: ResultLedger.ResultIncrement, to result: inout StoredResult) {
        result.timesAsked += increment.timesAsked
        for (source, count) in increment.served { result.served[source, default: 0] += count }
        result.llmCalls.saturatingIncrement(by: increment.llmCalls)
        result.regenerations.saturatingIncrement(by: increment.regenerations)
        result.usage = result.usage.summed(with: increment.usage)
    }

    private static func existing(_ result: inout StoredResult) -> ResultLedger.Existing {
        .init(status: result.decision.status, score: result.decision.score, firstScore: result.decision.firstScore)
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

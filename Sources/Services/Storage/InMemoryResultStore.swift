/// The result store of the embedded mode: the same rules as the MongoDB store, in memory.
public actor InMemoryResultStore: ResultStore {
    private var stored: [String: StoredResult] = [:]
    private var applied: Set<String> = []
    private var totals = PipelineMetrics()
    private let clock: @Sendable () -> Int64

    public init(clock: @escaping @Sendable () -> Int64 = { Timestamp.now().millisecondsSinceEpoch }) {
        self.clock = clock
    }

    @discardableResult
    public func apply(_ decisions: [Decision]) async throws -> ResultLedger.Outcome {
        var existing: [String: ResultLedger.Existing] = [:]
        for id in Set(decisions.map(\.questionID)) {
            if let result = stored[id] {
                existing[id] = .init(status: result.decision.status, score: result.decision.score,
                                     firstScore: result.decision.firstScore)
            }
        }
        let ids = Set(decisions.map(\.messageID)).filter { applied.contains($0) }
        let outcome = ResultLedger.apply(decisions, existing: existing, alreadyApplied: ids, storedAt: clock())
        for (id, result) in outcome.created { stored[id] = result }
        for (id, decision) in outcome.upgrades { stored[id]!.decision = decision }
        for (id, increment) in outcome.increments {
            stored[id]!.timesAsked += increment.timesAsked
            for (source, count) in increment.served { stored[id]!.served[source, default: 0] += count }
            stored[id]!.llmCalls += increment.llmCalls
            stored[id]!.regenerations += increment.regenerations
        }
        applied.formUnion(outcome.appliedIDs)
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

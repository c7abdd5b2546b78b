import Observability
import Storage
import VeredictoCore

/// The store service's metrics: results created, decisions applied, duplicates skipped, and the
/// end-to-end latency by path, recorded from each batch the store applies.
public enum StoreMetrics {
    public static func declare(in registry: MetricsRegistry) {
        registry.declare(ServiceMetricNames.storedResults, .counter, help: "Result documents created in MongoDB (one per question).")
        registry.declare(ServiceMetricNames.storeApplied, .counter, help: "Decisions applied (a repeated question counts each time).")
        registry.declare(ServiceMetricNames.storeDuplicates, .counter, help: "Redelivered decisions skipped.")
        registry.declare(ServiceMetricNames.e2eLatency, .histogram,
                         help: "Question created to result persisted, seconds, by path (cache, llm_N = decided at LLM attempt N, failed).")
    }

    /// What one applied batch adds.
    public static func record(_ outcome: ResultLedger.Outcome, in registry: MetricsRegistry) {
        registry.increment(ServiceMetricNames.storedResults, by: Double(outcome.created.count))
        registry.increment(ServiceMetricNames.storeApplied, by: Double(outcome.appliedIDs.count))
        registry.increment(ServiceMetricNames.storeDuplicates, by: Double(outcome.duplicates))
        var byPath: [DecisionPath: [Double]] = [:]
        for (latency, path) in zip(outcome.latencies, outcome.paths) { byPath[path, default: []].append(latency / 1000) }
        for (path, seconds) in byPath {
            registry.observe(ServiceMetricNames.e2eLatency, labels: ["path": path.label], seconds)
        }
    }
}

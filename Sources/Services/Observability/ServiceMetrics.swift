/// Names of the metrics the services export (`veredicto_` prefix, Prometheus conventions).
public enum ServiceMetricNames {
    public static let consumed = "veredicto_messages_consumed_total"
    public static let produced = "veredicto_messages_produced_total"
    public static let deadLetters = "veredicto_dead_letters_total"
    public static let batches = "veredicto_batches_total"
    public static let retriedBatches = "veredicto_batches_retried_total"
    public static let batchSeconds = "veredicto_batch_handle_seconds"
    public static let llmCalls = "veredicto_llm_calls_total"
    public static let llmSuccesses = "veredicto_llm_successes_total"
    public static let llmErrors = "veredicto_llm_errors_total"
    public static let cacheHits = "veredicto_cache_hits_total"
    public static let cacheMisses = "veredicto_cache_misses_total"
    public static let cacheEvictions = "veredicto_cache_evictions_total"
    public static let cacheExpirations = "veredicto_cache_expirations_total"
    public static let scoreDecisions = "veredicto_score_decisions_total"
    public static let storedResults = "veredicto_results_stored_total"
    public static let storeApplied = "veredicto_store_decisions_applied_total"
    public static let storeDuplicates = "veredicto_store_duplicates_total"
    public static let e2eLatency = "veredicto_e2e_latency_seconds"
    public static let hopLatency = "veredicto_hop_latency_seconds"
    public static let up = "veredicto_up"
}

/// Feeds a registry from a running service: what the runners count as they go, and what the
/// stages keep (cache statistics, score decisions, LLM calls), copied in by `sample`.
public struct ServiceMetrics: Sendable {
    public let registry: MetricsRegistry
    public let service: String
    public let llmCounters: LLMCounters

    public init(registry: MetricsRegistry, service: String, llmCounters: LLMCounters = LLMCounters()) {
        self.registry = registry
        self.service = service
        self.llmCounters = llmCounters
        registry.declare(ServiceMetricNames.up, .gauge, help: "1 while the service runs.")
        registry.set(ServiceMetricNames.up, labels: ["service": service], to: 1)
        if service != "generator" {
            registry.declare(ServiceMetricNames.hopLatency, .histogram,
                             help: "Record produced to polled by this service, seconds, by input topic (Kafka timestamps).")
        }
        switch service {
        case "llm":
            registry.declare(ServiceMetricNames.llmCalls, .counter, help: "Calls of the LLM backend.")
            registry.declare(ServiceMetricNames.llmSuccesses, .counter, help: "Successful calls of the LLM backend.")
            registry.declare(ServiceMetricNames.llmErrors, .counter,
                             help: "LLM errors by type (overload, quota, ...); outcome retried in place or final.")
        case "cache":
            registry.declare(ServiceMetricNames.cacheHits, .counter, help: "Cache lookups that found a live entry.")
            registry.declare(ServiceMetricNames.cacheMisses, .counter, help: "Cache lookups that found none.")
            registry.declare(ServiceMetricNames.cacheEvictions, .counter, help: "Entries evicted by the policy.")
            registry.declare(ServiceMetricNames.cacheExpirations, .counter, help: "Entries expired by the TTL.")
        case "score":
            registry.declare(ServiceMetricNames.scoreDecisions, .counter,
                             help: "Score decisions: accepted, forced (accepted at the retry cap), regenerated, dropped (duplicate or stale).")
        case "store":
            registry.declare(ServiceMetricNames.storedResults, .counter, help: "Result documents created in MongoDB (one per question).")
            registry.declare(ServiceMetricNames.storeApplied, .counter, help: "Decisions applied (a repeated question counts each time).")
            registry.declare(ServiceMetricNames.storeDuplicates, .counter, help: "Redelivered decisions skipped.")
            registry.declare(ServiceMetricNames.e2eLatency, .histogram, help: "Question created to result persisted, seconds, by path (cache, llm_N = decided at LLM attempt N, failed).")
        default: break
        }
    }

    /// What the store's `onApplied` reports: stored results and end-to-end latencies.
    public func recordApplied(_ outcome: ResultLedger.Outcome) {
        registry.increment(ServiceMetricNames.storedResults, by: Double(outcome.created.count))
        registry.increment(ServiceMetricNames.storeApplied, by: Double(outcome.appliedIDs.count))
        registry.increment(ServiceMetricNames.storeDuplicates, by: Double(outcome.duplicates))
        var byPath: [DecisionPath: [Double]] = [:]
        for (latency, path) in zip(outcome.latencies, outcome.paths) { byPath[path, default: []].append(latency / 1000) }
        for (path, seconds) in byPath {
            registry.observe(ServiceMetricNames.e2eLatency, labels: ["path": path.label], seconds)
        }
    }

    /// What a Kafka consumer of this service reports for each polled batch (`KafkaTransport.onHops`).
    public func recordHops(topic: String, milliseconds: [Double]) {
        registry.observe(ServiceMetricNames.hopLatency, labels: ["topic": topic], milliseconds.map { $0 / 1000 })
    }

    /// Copies the stages' own counters into the registry (cheap; call it every second or so).
    public func sample(_ runners: [any RunnableService]) async {
        for runner in runners {
            if let cache = runner as? ServiceRunner<CacheStage> {
                let stats = await cache.stage.stats
                registry.setCounter(ServiceMetricNames.cacheHits, to: Double(stats.hits))
                registry.setCounter(ServiceMetricNames.cacheMisses, to: Double(stats.misses))
                registry.setCounter(ServiceMetricNames.cacheEvictions, to: Double(stats.evictions))
                registry.setCounter(ServiceMetricNames.cacheExpirations, to: Double(stats.expirations))
            } else if let score = runner as? ServiceRunner<ScoreStage> {
                let stage = score.stage
                let decisions: [(String, Int)] = [
                    ("accepted", await stage.accepted), ("forced", await stage.forced),
                    ("regenerated", await stage.regenerated), ("dropped", await stage.dropped),
                ]
                for (decision, count) in decisions {
                    registry.setCounter(ServiceMetricNames.scoreDecisions, labels: ["decision": decision], to: Double(count))
                }
            }
        }
        if service == "llm" {
            let llm = llmCounters.snapshot
            registry.setCounter(ServiceMetricNames.llmCalls, to: Double(llm.calls))
            registry.setCounter(ServiceMetricNames.llmSuccesses, to: Double(llm.successes))
            for (type, count) in llm.retriedErrors {
                registry.setCounter(ServiceMetricNames.llmErrors, labels: ["type": type, "outcome": "retried"], to: Double(count))
            }
            for (type, count) in llm.finalErrors {
                registry.setCounter(ServiceMetricNames.llmErrors, labels: ["type": type, "outcome": "final"], to: Double(count))
            }
        }
    }
}

import Observability

/// What a stage counts of its own work (cache hits, score decisions, LLM calls), exported through
/// its service's registry. Each stage declares and fills its own metrics, so the service that
/// hosts it needs to know nothing about which stage it runs.
public protocol MetricsReporting: Sendable {
    /// Declares the metrics (name, type, help) once, before the first report.
    func declareMetrics(in registry: MetricsRegistry)
    /// Copies the current figures into the registry (cheap; called about every second).
    func reportMetrics(to registry: MetricsRegistry) async
}

extension MetricsReporting {
    public func declareMetrics(in registry: MetricsRegistry) {}
    public func reportMetrics(to registry: MetricsRegistry) async {}
}

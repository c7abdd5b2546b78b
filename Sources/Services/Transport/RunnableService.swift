import Observability
/// A running service: one or more stage runners sharing a transport.
public protocol RunnableService: Sendable {
    var serviceName: String { get }
    func run() async throws
    func currentCounters() async -> ServiceCounters
    /// Declares the metrics of the stages it runs (see `MetricsReporting`).
    func declareMetrics(in registry: MetricsRegistry)
    /// Copies the figures of the stages it runs into the registry.
    func reportMetrics(to registry: MetricsRegistry) async
}

import Kafka
import Observability
import Stages
import Storage
import Transport
import VeredictoCore

/// Feeds a registry from a running service: what the runners count as they go, and what the
/// stages keep of their own (each stage declares and reports its metrics, `MetricsReporting`).
public struct ServiceMetrics: Sendable {
    public let registry: MetricsRegistry
    public let service: String
    /// The executors the stages run on (`start`), read by `sample`.
    private let executors = LockedValue<[ServiceCPUExecutor]>([])

    public init(registry: MetricsRegistry, service: String) {
        self.registry = registry
        self.service = service
        registry.declare(ServiceMetricNames.up, .gauge, help: "1 while the service runs.")
        registry.set(ServiceMetricNames.up, labels: ["service": service], to: 1)
        registry.declare(ServiceMetricNames.processCPU, .counter, help: "User and system CPU time of this process, seconds.")
        registry.declare(ServiceMetricNames.stageCPU, .counter,
                         help: "CPU time of each stage's tasks, seconds (the rest of the process CPU is librdkafka's and libmongoc's threads).")
    }

    /// Starts each runner in a task on an executor of its stage, which counts the CPU time of
    /// the stage's tasks for `sample` to report.
    public func start(_ runners: [any RunnableService]) -> [Task<Void, any Error>] {
        let (tasks, started) = ServiceCPUExecutor.start(runners)
        executors.withLock { $0 = started }
        return tasks
    }

    /// Declares what `runners`' stages report; call once before sampling them.
    public func declare(_ runners: [any RunnableService]) {
        for runner in runners { runner.declareMetrics(in: registry) }
    }

    /// What the store's `onApplied` reports: stored results and end-to-end latencies.
    public func recordApplied(_ outcome: ResultLedger.Outcome) {
        StoreMetrics.record(outcome, in: registry)
    }

    /// A recorder for what a Kafka consumer of this service reports for each polled batch
    /// (`KafkaTransport.onHops`); declares the hop-latency histogram.
    public func hopRecorder() -> @Sendable (String, [Double]) -> Void {
        registry.declare(ServiceMetricNames.hopLatency, .histogram,
                         help: "Record produced to polled by this service, seconds, by input topic (Kafka timestamps).")
        let registry = self.registry
        return { topic, milliseconds in
            registry.observe(ServiceMetricNames.hopLatency, labels: ["topic": topic], milliseconds.map { $0 / 1000 })
        }
    }

    /// Copies the stages' own counters into the registry, and what the Kafka consumers in
    /// `kafka` found in their offsets (cheap; call it every second or so).
    public func sample(_ runners: [any RunnableService], kafka: KafkaConsumerWatch? = nil) async {
        for runner in runners { await runner.reportMetrics(to: registry) }
        if let kafka {
            registry.declare(ServiceMetricNames.kafkaRecordsPassedOver, .counter,
                             help: "Records a fetch passed over and fetching again for KAFKA_GAP_PATIENCE_MS did not deliver: never read by this group's member here, by consumer group.")
            registry.declare(ServiceMetricNames.kafkaGapsRefetched, .counter,
                             help: "Forward jumps in a partition's offsets that fetching again filled (records a broker made readable late), by consumer group.")
            for (group, check) in kafka.offsetChecks {
                registry.setCounter(ServiceMetricNames.kafkaRecordsPassedOver, labels: ["group": group], to: Double(check.passedOver))
                registry.setCounter(ServiceMetricNames.kafkaGapsRefetched, labels: ["group": group], to: Double(check.refetched))
            }
        }
        // The stages first: what they count is part of what the process has spent by then.
        for executor in executors.withLock({ $0 }) {
            registry.setCounter(ServiceMetricNames.stageCPU, labels: ["stage": executor.name], to: executor.snapshot.seconds)
        }
        registry.setCounter(ServiceMetricNames.processCPU, to: PipelineRun.processCPUSeconds())
    }
}

import Kafka
import Transport
import VeredictoCore
/// Where an experiment's runs go: each over an in-memory bus of its own (embedded), or over
/// Kafka, each under topics of its own, created with a fresh prefix so that no run sees
/// another's messages or shares its consumer groups.
public enum ExperimentBackend: Sendable {
    /// Over an in-memory bus with this many partitions per topic.
    case embedded(partitions: Int = 4)
    case kafka(KafkaTransport, partitions: Int)

    /// The backend the settings choose (`PipelineSettings.transportBackend`).
    public init(settings: PipelineSettings) {
        switch settings.transportBackend {
        case .inMemoryBus: self = .embedded()
        case .kafka: self = .kafka(settings.kafka, partitions: settings.partitions)
        }
    }

    /// `run` made ready for this backend and its transport. Over Kafka, the topics are created
    /// under `prefix` and a short warm-up keeps the consumer-group joins out of the figures.
    public func prepare(_ run: PipelineRun, prefix: String) async throws -> (run: PipelineRun, transport: any MessageTransport) {
        switch self {
        case .embedded(let partitions):
            return (run, InMemoryBus.pipeline(topics: run.settings.topics, partitions: partitions))
        case .kafka(let transport, let partitions):
            var run = run
            run.settings.topics = PipelineTopics(prefix: prefix)
            try await transport.createTopics(Topic.allCases.map { run.settings.topics.name($0) }, partitions: partitions)
            run.warmup = max(run.warmup, 20)
            return (run, transport)
        }
    }

    public var description: String {
        switch self {
        case .embedded(let partitions): return "in-memory bus, \(partitions) partitions per topic"
        case .kafka(let transport, let partitions):
            return "Kafka at \(transport.bootstrapServers.joined(separator: ",")), \(partitions) partitions per topic"
        }
    }
}

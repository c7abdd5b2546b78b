import Kafka
import Mongo
import Storage
import Transport
import VeredictoCore

/// Where messages travel: an in-memory bus inside the process, or a Kafka cluster.
public enum TransportBackend: String, Sendable {
    case inMemoryBus = "in-memory bus"
    case kafka = "Kafka"
}

/// Where results are kept: in the process, or in MongoDB.
public enum StoreBackend: String, Sendable {
    case inMemory = "in-memory store"
    case mongo = "MongoDB"
}

/// The transport and the result store a command runs on, made from the settings in this one
/// place (`PipelineSettings.transportBackend` and `.storeBackend`), so that no command decides
/// by itself which flags mean Kafka or MongoDB.
///
/// A nil `transport` or `store` means the in-memory one, which `PipelineRun` makes per run.
/// `close()` releases the MongoDB client pool.
public struct PipelineBackends: Sendable, CustomStringConvertible {
    public let transport: (any MessageTransport)?
    public let store: (any ResultStore)?
    public let transportBackend: TransportBackend
    public let storeBackend: StoreBackend
    private let pool: MongoClientPool?
    private let sharedProducer: SharedProducerTransport?

    private init(transport: (any MessageTransport)?, store: (any ResultStore)?, transportBackend: TransportBackend,
                 storeBackend: StoreBackend, pool: MongoClientPool?, sharedProducer: SharedProducerTransport? = nil) {
        self.transport = transport
        self.store = store
        self.transportBackend = transportBackend
        self.storeBackend = storeBackend
        self.pool = pool
        self.sharedProducer = sharedProducer
    }

    /// The backends of an embedded run (`veredicto run`): over Kafka, the run's topics are
    /// created first under the settings' prefix; `onHops` receives the hop latencies Kafka's
    /// timestamps give.
    public static func forRun(settings: PipelineSettings,
                              onHops: (@Sendable (String, [Double]) -> Void)? = nil) async throws -> PipelineBackends {
        var transport: (any MessageTransport)?
        if settings.transportBackend == .kafka {
            var kafka = settings.kafka
            try await kafka.createTopics(Topic.allCases.map { settings.topics.name($0) }, partitions: settings.partitions)
            kafka.onHops = onHops
            transport = kafka
        }
        let (store, pool) = try openStore(settings)
        return PipelineBackends(transport: transport, store: store, transportBackend: settings.transportBackend,
                                storeBackend: settings.storeBackend, pool: pool)
    }

    /// The backends of one service (`veredicto serve`): always Kafka, with one producer shared
    /// by the service's stages; MongoDB for the services that read or write results. Every
    /// consumer made is registered with `watch` (readiness), if given.
    public static func forService(_ service: PipelineService, settings: PipelineSettings,
                                  onHops: (@Sendable (String, [Double]) -> Void)? = nil,
                                  watch: KafkaConsumerWatch? = nil) throws -> PipelineBackends {
        var kafka = settings.kafka
        kafka.onHops = onHops
        kafka.watch = watch
        var settings = settings
        settings.storeBackend = service.usesStore ? .mongo : .inMemory
        let (store, pool) = try openStore(settings)
        let shared = SharedProducerTransport(kafka)
        return PipelineBackends(transport: shared, store: store, transportBackend: .kafka,
                                storeBackend: settings.storeBackend, pool: pool, sharedProducer: shared)
    }

    /// The MongoDB `questions` collection of the settings' database.
    public static func questions(settings: PipelineSettings) throws -> QuestionsCollection {
        try QuestionsCollection(uri: settings.mongoURI, database: settings.mongoDatabase)
    }

    private static func openStore(_ settings: PipelineSettings) throws -> ((any ResultStore)?, MongoClientPool?) {
        guard settings.storeBackend == .mongo else { return (nil, nil) }
        let pool = try MongoClientPool(uri: settings.mongoURI)
        return (MongoResultStore(database: pool.database(settings.mongoDatabase), prices: settings.llm.prices), pool)
    }

    /// "in-memory bus + in-memory store", "Kafka + MongoDB".
    public var description: String { "\(transportBackend.rawValue) + \(storeBackend.rawValue)" }

    /// Closes the transport (a shared producer flushes) and the MongoDB pool.
    public func close() async {
        await sharedProducer?.close()
        pool?.close()
    }
}

/// How a `KafkaProducer` batches, compresses and bounds what it sends.
///
/// Acknowledgements are always `acks=all`: a message counts as delivered only when every in-sync
/// replica has it, which is what committing consumer offsets after delivery relies on.
public struct KafkaProducerConfiguration: Sendable {
    /// Brokers to bootstrap from, each `host:port` (`bootstrap.servers`).
    public var bootstrapServers: [String]
    /// `client.id`, shown in broker logs.
    public var clientID: String = "veredicto"
    /// How long to wait for more messages before sending a batch (`linger.ms`).
    public var linger: Duration = .milliseconds(5)
    /// Largest batch in bytes (`batch.size`).
    public var batchSizeBytes: Int = 1_000_000
    /// Record-batch compression (`compression.codec`).
    public var compression: KafkaCompression = .zstd
    /// Compression level (`compression.level`) within `compression.levels`; nil: 1 with zstd,
    /// the codec's own default with the others. zstd at 1 instead of its default 3 compresses
    /// about a third faster for batches about 10 % larger (docs/benchmarks.md, "Kafka
    /// compression level").
    public var compressionLevel: Int?
    /// Exactly-once, in-order writes per partition even when librdkafka retries (`enable.idempotence`).
    public var idempotence: Bool = true
    /// Most messages waiting in the local queue (`queue.buffering.max.messages`); past it,
    /// `send` waits for deliveries (back-pressure) instead of buffering more.
    public var maxQueuedMessages: Int = 100_000
    /// Most kilobytes waiting in the local queue (`queue.buffering.max.kbytes`).
    public var maxQueuedKilobytes: Int = 131_072
    /// How long librdkafka keeps trying to deliver a message before reporting it failed
    /// (`message.timeout.ms`).
    public var deliveryTimeout: Duration = .seconds(120)
    /// How long `send` waits for room in a full local queue before throwing `.queueFull`.
    public var enqueueTimeout: Duration = .seconds(30)
    /// If set, librdkafka emits statistics JSON this often (`statistics.interval.ms`).
    public var statisticsInterval: Duration?
    /// Any other librdkafka property, e.g. `security.protocol`, `sasl.mechanisms`,
    /// `sasl.username`, `ssl.ca.location`. Keys set by the typed properties are refused.
    public var extra: [String: String] = [:]

    public init(bootstrapServers: [String]) {
        self.bootstrapServers = bootstrapServers
    }

    /// Throws `.invalidConfiguration` with one line saying what to fix.
    public func validate() throws {
        try RDKafkaConfig.check(properties: librdkafkaProperties())
    }

    static let typedKeys: [String: String] = [
        "bootstrap.servers": "bootstrapServers", "metadata.broker.list": "bootstrapServers",
        "client.id": "clientID", "linger.ms": "linger", "queue.buffering.max.ms": "linger",
        "batch.size": "batchSizeBytes", "compression.codec": "compression", "compression.type": "compression",
        "compression.level": "compressionLevel",
        "enable.idempotence": "idempotence", "queue.buffering.max.messages": "maxQueuedMessages",
        "queue.buffering.max.kbytes": "maxQueuedKilobytes", "message.timeout.ms": "deliveryTimeout",
        "delivery.timeout.ms": "deliveryTimeout", "statistics.interval.ms": "statisticsInterval",
    ]

    static let fixedKeys: [String: String] = [
        "acks": "acks is always all, so that a delivered message is on every in-sync replica",
        "request.required.acks": "acks is always all, so that a delivered message is on every in-sync replica",
    ]

    /// The validated librdkafka properties; `RDKafkaConfig` turns them into a `rd_kafka_conf_t`.
    func librdkafkaProperties() throws -> [String: String] {
        let type = "KafkaProducerConfiguration"
        typealias Rules = KafkaConfigurationRules
        var properties: [String: String] = [
            "bootstrap.servers": try Rules.bootstrapServers(bootstrapServers, field: "\(type).bootstrapServers"),
            "linger.ms": try Rules.milliseconds(linger, key: "linger.ms", field: "\(type).linger", range: 0...900_000),
            "batch.size": try Rules.integer(
                batchSizeBytes, key: "batch.size", field: "\(type).batchSizeBytes", range: 1...2_147_483_647),
            "compression.codec": compression.rawValue,
            "enable.idempotence": idempotence ? "true" : "false",
            "acks": "all",
            "queue.buffering.max.messages": try Rules.integer(
                maxQueuedMessages, key: "queue.buffering.max.messages", field: "\(type).maxQueuedMessages",
                range: 1...10_000_000),
            "queue.buffering.max.kbytes": try Rules.integer(
                maxQueuedKilobytes, key: "queue.buffering.max.kbytes", field: "\(type).maxQueuedKilobytes",
                range: 1...2_147_483_647),
            "message.timeout.ms": try Rules.milliseconds(
                deliveryTimeout, key: "message.timeout.ms", field: "\(type).deliveryTimeout", range: 1...2_147_483_647),
        ]
        if let level = compressionLevel ?? (compression == .zstd ? 1 : nil) {
            guard let levels = compression.levels else {
                throw Rules.invalid("\(type).compressionLevel: \(compression.rawValue) has no levels; leave it unset, got \(level)")
            }
            properties["compression.level"] = try Rules.integer(
                level, key: "compression.level", field: "\(type).compressionLevel", range: levels)
        }
        try Rules.nonEmpty(clientID, field: "\(type).clientID")
        properties["client.id"] = clientID
        _ = try Rules.milliseconds(
            enqueueTimeout, key: "(none: Veredicto's send)", field: "\(type).enqueueTimeout", range: 0...86_400_000)
        try Rules.finish(&properties, statisticsInterval: statisticsInterval, extra: extra,
                         typed: Self.typedKeys, fixed: Self.fixedKeys, type: type)
        return properties
    }
}

/// Record-batch compression codecs (librdkafka `compression.codec`).
public enum KafkaCompression: String, Sendable, CaseIterable {
    case none, gzip, snappy, lz4, zstd

    /// The levels librdkafka's `compression.level` accepts for the codec; nil when it has none.
    public var levels: ClosedRange<Int>? {
        switch self {
        case .gzip: 0...9
        case .lz4: 0...12
        case .zstd: 1...12
        case .none, .snappy: nil
        }
    }
}

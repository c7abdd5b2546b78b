/// How a `KafkaConsumer` joins its group and reads.
///
/// Offsets are never committed automatically (`enable.auto.commit=false`): `KafkaConsumer.commit`
/// commits a batch once everything it produced is acknowledged, which makes the pipeline
/// at-least-once.
public struct KafkaConsumerConfiguration: Sendable {
    /// Brokers to bootstrap from, each `host:port` (`bootstrap.servers`).
    public var bootstrapServers: [String]
    /// The consumer group (`group.id`): the group's members share the topics' partitions.
    public var groupID: String
    /// Topics to subscribe to.
    public var topics: [String]
    /// `client.id`, shown in broker logs.
    public var clientID: String = "veredicto"
    /// How long the group waits for a silent member before giving its partitions to others
    /// (`session.timeout.ms`). The heartbeat interval is a third of it, at most 3 s.
    public var sessionTimeout: Duration = .seconds(45)
    /// How long the consumer keeps fetching again the records a fetch passed over (a forward jump
    /// in a partition's offsets, `OffsetContinuity`) before it takes the gap as the log's own: a
    /// transaction marker, a compacted topic. A partition whose gap outlasted it has its later
    /// gaps counted, not fetched again. Zero takes every gap as the log's at once. Veredicto's
    /// own topics have no holes: on them a gap is records a broker made readable late.
    public var gapPatience: Duration = .seconds(30)
    /// Where a group without a committed offset starts (`auto.offset.reset`).
    public var autoOffsetReset: KafkaOffsetReset = .earliest
    /// Most messages one `poll` returns when the caller does not say.
    public var maxBatchSize: Int = 1000
    /// If set, librdkafka emits statistics JSON this often (`statistics.interval.ms`).
    public var statisticsInterval: Duration?
    /// Any other librdkafka property, e.g. `security.protocol`, `sasl.*`, `ssl.*`,
    /// `fetch.max.bytes`. Keys set by the typed properties are refused.
    public var extra: [String: String] = [:]

    public init(bootstrapServers: [String], groupID: String, topics: [String]) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.topics = topics
    }

    /// Throws `.invalidConfiguration` with one line saying what to fix.
    public func validate() throws {
        try RDKafkaConfig.check(properties: librdkafkaProperties())
    }

    static let typedKeys: [String: String] = [
        "bootstrap.servers": "bootstrapServers", "metadata.broker.list": "bootstrapServers",
        "group.id": "groupID", "client.id": "clientID", "session.timeout.ms": "sessionTimeout",
        "auto.offset.reset": "autoOffsetReset", "statistics.interval.ms": "statisticsInterval",
    ]

    static let fixedKeys: [String: String] = [
        "enable.auto.commit":
            "offsets are committed by KafkaConsumer.commit once a batch's output is acknowledged",
        "enable.auto.offset.store":
            "offsets are committed by KafkaConsumer.commit once a batch's output is acknowledged",
    ]

    /// The validated librdkafka properties; `RDKafkaConfig` turns them into a `rd_kafka_conf_t`.
    func librdkafkaProperties() throws -> [String: String] {
        let type = "KafkaConsumerConfiguration"
        typealias Rules = KafkaConfigurationRules
        try Rules.nonEmpty(groupID, field: "\(type).groupID")
        try Rules.nonEmpty(clientID, field: "\(type).clientID")
        guard !topics.isEmpty else {
            throw Rules.invalid("\(type).topics is empty: give at least one topic to subscribe to")
        }
        for topic in topics {
            try Rules.nonEmpty(topic, field: "\(type).topics entry")
        }
        _ = try Rules.integer(maxBatchSize, key: "(none: Veredicto's poll)", field: "\(type).maxBatchSize",
                              range: 1...1_000_000)
        _ = try Rules.milliseconds(gapPatience, key: "(none: Veredicto's offset check)", field: "\(type).gapPatience",
                                   range: 0...3_600_000)
        let session = try Rules.milliseconds(
            sessionTimeout, key: "session.timeout.ms", field: "\(type).sessionTimeout", range: 1...3_600_000)
        var properties: [String: String] = [
            "bootstrap.servers": try Rules.bootstrapServers(bootstrapServers, field: "\(type).bootstrapServers"),
            "group.id": groupID,
            "client.id": clientID,
            "session.timeout.ms": session,
            "heartbeat.interval.ms": String(min(3000, max(100, Int(session)! / 3))),
            "auto.offset.reset": autoOffsetReset.rawValue,
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "enable.partition.eof": "false",
        ]
        try Rules.finish(&properties, statisticsInterval: statisticsInterval, extra: extra,
                         typed: Self.typedKeys, fixed: Self.fixedKeys, type: type)
        return properties
    }
}

/// Where a consumer group without a committed offset starts reading a partition.
public enum KafkaOffsetReset: String, Sendable, CaseIterable {
    /// From the oldest message still kept.
    case earliest
    /// From the next message produced.
    case latest
    /// Nowhere: the consumer reports an error.
    case error
}

/// How a `KafkaAdmin` reaches the cluster.
public struct KafkaAdminConfiguration: Sendable {
    /// Brokers to bootstrap from, each `host:port` (`bootstrap.servers`).
    public var bootstrapServers: [String]
    /// `client.id`, shown in broker logs.
    public var clientID: String = "veredicto-admin"
    /// Any other librdkafka property, e.g. `security.protocol`, `sasl.*`, `ssl.*`.
    public var extra: [String: String] = [:]

    public init(bootstrapServers: [String]) {
        self.bootstrapServers = bootstrapServers
    }

    /// Throws `.invalidConfiguration` with one line saying what to fix.
    public func validate() throws {
        try RDKafkaConfig.check(properties: librdkafkaProperties())
    }

    func librdkafkaProperties() throws -> [String: String] {
        let type = "KafkaAdminConfiguration"
        typealias Rules = KafkaConfigurationRules
        try Rules.nonEmpty(clientID, field: "\(type).clientID")
        let typed = ["bootstrap.servers": "bootstrapServers", "metadata.broker.list": "bootstrapServers",
                     "client.id": "clientID"]
        try Rules.extra(extra, typed: typed, fixed: [:], type: type)
        var properties = [
            "bootstrap.servers": try Rules.bootstrapServers(bootstrapServers, field: "\(type).bootstrapServers"),
            "client.id": clientID,
        ]
        properties.merge(extra) { _, new in new }
        return properties
    }
}

import CRdKafka

/// The one place that builds librdkafka's `rd_kafka_conf_t`: properties from the typed
/// configurations, and the callbacks through which librdkafka reports to Swift.
enum RDKafkaConfig {
    /// A new `rd_kafka_conf_t` holding `properties`, and, if given, the callbacks that report to
    /// `events`. The caller owns the result until `rd_kafka_new` takes it.
    static func make(properties: [String: String], events: RDKafkaClientEvents? = nil) throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(.clientCreation, "rd_kafka_conf_new failed: out of memory")
        }
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            let set = RDKafkaError.withErrorText { rd_kafka_conf_set(conf, key, value, $0, $1) }
            guard set.result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(.invalidConfiguration, "librdkafka rejects \(key)=\"\(value)\": \(set.text)")
            }
        }
        if let events {
            installCallbacks(on: conf, reportingTo: events)
        }
        return conf
    }

    /// Throws if librdkafka refuses any of `properties` (unknown key, bad value), without
    /// creating a client or touching the network.
    static func check(properties: [String: String]) throws {
        rd_kafka_conf_destroy(try make(properties: properties))
    }
}

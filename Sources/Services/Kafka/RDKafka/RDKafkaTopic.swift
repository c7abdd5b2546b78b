import CRdKafka

/// Owns one librdkafka topic handle (`rd_kafka_topic_t`), which producing by topic handle needs.
///
/// `@unchecked Sendable`: topic handles are thread-safe in librdkafka, immutable here, and keep
/// their client alive, since they must be destroyed before it.
final class RDKafkaTopic: @unchecked Sendable {
    let name: String
    let client: RDKafkaClient
    private let handle: OpaquePointer

    init(client: RDKafkaClient, name: String) throws {
        guard let handle = client.withHandle({ rd_kafka_topic_new($0, name, nil) }) else {
            throw KafkaError(rdKafkaError: rd_kafka_last_error(), "cannot create a handle for topic \(name)")
        }
        self.client = client
        self.name = name
        self.handle = handle
    }

    deinit {
        rd_kafka_topic_destroy(handle)
    }

    /// Lends the handle to `body`; it must not keep the pointer.
    func withHandle<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        try body(handle)
    }
}

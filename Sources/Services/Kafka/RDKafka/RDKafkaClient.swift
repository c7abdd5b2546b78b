import CRdKafka
import Logging

/// Owns one librdkafka client handle (`rd_kafka_t`) and the events object its callbacks report to.
///
/// `@unchecked Sendable`: librdkafka's API is thread-safe on a `rd_kafka_t` (its own threads do
/// the network I/O; any thread may produce, poll or query metadata), and the handle is immutable
/// here and destroyed only in `deinit`, when no other reference exists. Whatever still refers to
/// the handle (topic handles, consumed messages) keeps this object alive, so `rd_kafka_destroy`
/// runs after they are gone, as librdkafka requires.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind {
        case producer, consumer

        var librdkafkaType: rd_kafka_type_t {
            self == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        }
    }

    let kind: Kind
    let events: RDKafkaClientEvents
    /// librdkafka's name for the client (`rdkafka#producer-1`), for logs.
    let name: String
    private let handle: OpaquePointer

    private init(kind: Kind, handle: OpaquePointer, events: RDKafkaClientEvents) {
        self.kind = kind
        self.handle = handle
        self.events = events
        self.name = String(cString: rd_kafka_name(handle))
    }

    /// Creates the client; librdkafka connects to the brokers in the background.
    static func make(kind: Kind, properties: [String: String], events: RDKafkaClientEvents) throws -> RDKafkaClient {
        let conf = try RDKafkaConfig.make(properties: properties, events: events)
        let created = RDKafkaError.withErrorText { rd_kafka_new(kind.librdkafkaType, conf, $0, $1) }
        guard let handle = created.result else {
            rd_kafka_conf_destroy(conf)  // rd_kafka_new takes the conf only when it succeeds
            throw KafkaError(.clientCreation, "cannot create a librdkafka \(kind): \(created.text)")
        }
        let client = RDKafkaClient(kind: kind, handle: handle, events: events)
        events.logger.info(
            "Kafka \(kind) created",
            metadata: [
                "librdkafka": "\(KafkaLibrary.version)", "librdkafka.client": "\(client.name)",
                "bootstrap.servers": "\(properties["bootstrap.servers"] ?? "")",
            ])
        return client
    }

    deinit {
        // For a consumer that was not closed, this also leaves the group.
        rd_kafka_destroy(handle)
    }

    /// The version of the librdkafka shared library loaded at run time.
    static var libraryVersion: String { String(cString: rd_kafka_version_str()) }

    /// Lends the handle to `body`; it must not keep the pointer.
    func withHandle<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        try body(handle)
    }
}

/// A transport whose producers are all one producer of the underlying transport. librdkafka
/// advises one producer per process: each has its own threads and broker connections, and one
/// shared producer sends a single produce request per linger window carrying every stage's
/// batches, where one producer per stage sends one each. The broker serves fewer, larger
/// requests, which is what bounds the latency of a hop on a busy broker.
///
/// `makeProducer()` lends the shared producer (closing a loan does nothing); `close()` closes
/// it, once every user is done with it.
public final class SharedProducerTransport: MessageTransport {
    private let base: any MessageTransport
    private let shared: SharedProducer

    public init(_ base: any MessageTransport) {
        self.base = base
        shared = SharedProducer(base: base)
    }

    public func makeConsumer(group: String, topics: [String]) async throws -> any MessageConsumer {
        try await base.makeConsumer(group: group, topics: topics)
    }

    public func makeProducer() async throws -> any MessageProducer {
        LentProducer(producer: try await shared.producer())
    }

    public var clientThreadPrefix: String? { base.clientThreadPrefix }

    public func partitionCounts(of topics: [String]) async throws -> [String: Int] {
        try await base.partitionCounts(of: topics)
    }

    /// Closes the shared producer (after its pending deliveries, as the producer's own close does).
    public func close() async {
        await shared.close()
    }
}

private actor SharedProducer {
    private let base: any MessageTransport
    private var made: (any MessageProducer)?

    init(base: any MessageTransport) {
        self.base = base
    }

    func producer() async throws -> any MessageProducer {
        if let made { return made }
        let producer = try await base.makeProducer()
        made = producer
        return producer
    }

    func close() async {
        await made?.close()
        made = nil
    }
}

private final class LentProducer: MessageProducer {
    private let producer: any MessageProducer

    init(producer: any MessageProducer) {
        self.producer = producer
    }

    func enqueue(_ messages: [OutboundMessage]) async throws -> DeliveryReceipt {
        try await producer.enqueue(messages)
    }

    /// The owner closes the shared producer.
    func close() async {}
}

import Logging
import Transport
import VeredictoCore

/// Sends messages to Kafka topics in compressed batches and reports their delivery.
///
/// `send` copies the message into librdkafka's queue and returns; a thread of the producer's own
/// polls for delivery reports, which update `counters` and the `DeliveryGroup` given to `send`.
/// When the local queue is full (`maxQueuedMessages`, `maxQueuedKilobytes`), `send` blocks its
/// thread while deliveries drain the queue, up to `enqueueTimeout`: back-pressure, never unbounded
/// buffering. Call `close()` before releasing the producer.
public final class KafkaProducer: Sendable {
    public let configuration: KafkaProducerConfiguration

    private struct State {
        var closed = false
        var topics: [String: RDKafkaTopic] = [:]
    }

    private let client: RDKafkaClient
    private let tally: ProducerTally
    private let poller: DeliveryReportPoller
    private let blockingCalls: BlockingExecutor
    private let state = LockedValue(State())
    private let logger: Logger

    /// Creates the producer (it connects in the background). Throws `.invalidConfiguration` or
    /// `.clientCreation`.
    public convenience init(configuration: KafkaProducerConfiguration,
                            logger: Logger = Logger(label: "veredicto.kafka")) throws {
        try self.init(configuration: configuration, logger: logger, statistics: nil)
    }

    /// As the public initializer, with a receiver for librdkafka's statistics JSON.
    package init(configuration: KafkaProducerConfiguration, logger: Logger,
         statistics: (@Sendable (String) -> Void)?) throws {
        let properties = try configuration.librdkafkaProperties()
        let tally = ProducerTally()
        let events = RDKafkaClientEvents(logger: logger, deliveries: tally, statistics: statistics)
        let client = try RDKafkaClient.make(kind: .producer, properties: properties, events: events)
        self.configuration = configuration
        self.client = client
        self.tally = tally
        self.logger = logger
        self.poller = DeliveryReportPoller(client: client)
        self.blockingCalls = BlockingExecutor(name: "veredicto.kafka.\(client.name)")
    }

    deinit {
        if !state.withLock({ $0.closed }) {
            logger.warning("KafkaProducer released without close(): messages not yet delivered are dropped",
                           metadata: ["counters": "\(tally.snapshot)"])
            client.purgeAll()
        }
        poller.requestStop()
    }

    /// What the producer has sent, delivered and failed so far.
    public var counters: KafkaProducerCounters { tally.snapshot }

    /// Queues one message; the key chooses the partition (same key, same partition). The bytes are
    /// copied, so the buffers may be reused as soon as this returns. If `group` is given, its
    /// `wait` covers this message. Blocks while the local queue is full, then throws `.queueFull`.
    public func send(topic: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer,
                     group: DeliveryGroup? = nil, header: (name: String, value: [UInt8])? = nil) throws {
        let topicHandle = try self.topicHandle(topic)
        group?.enter()
        let opaque = group.map { Unmanaged.passRetained($0).toOpaque() }
        var deadline: ContinuousClock.Instant?
        while true {
            let produced: RDKafkaProduced
            if let header {
                produced = topicHandle.produce(key: key, value: value, header: header, opaque: opaque,
                                               context: "cannot send to \(topic)")
            } else {
                produced = topicHandle.produce(key: key, value: value, opaque: opaque, context: "cannot send to \(topic)")
            }
            if case .queued = produced {
                tally.recordSent(bytes: value.count + (key?.count ?? 0))
                return
            }
            if case .queueFull = produced {
                let now = ContinuousClock.now
                let limit = deadline ?? now + configuration.enqueueTimeout
                deadline = limit
                if now < limit {
                    // Serve delivery reports here too: they are what frees the queue.
                    client.poll(milliseconds: 10)
                    continue
                }
            }
            if let opaque, let group {
                Unmanaged<DeliveryGroup>.fromOpaque(opaque).release()
                group.leaveUnsent()
            }
            guard case .failed(let error) = produced else {
                throw KafkaError(
                    .queueFull,
                    "cannot send to \(topic): the local queue stayed full for \(configuration.enqueueTimeout) "
                        + "(brokers not taking messages as fast as they are sent; see maxQueuedMessages)")
            }
            throw error
        }
    }

    /// `send` with byte arrays.
    public func send(topic: String, key: [UInt8]?, value: [UInt8], group: DeliveryGroup? = nil) throws {
        try value.withUnsafeBytes { value in
            if let key {
                try key.withUnsafeBytes { try send(topic: topic, key: $0, value: value, group: group) }
            } else {
                try send(topic: topic, key: nil, value: value, group: group)
            }
        }
    }

    /// `send` with a text key (e.g. a trace id), sent as its UTF-8 bytes.
    public func send(topic: String, key: String, value: [UInt8], group: DeliveryGroup? = nil) throws {
        var key = key
        try key.withUTF8 { key in
            try value.withUnsafeBytes { try send(topic: topic, key: UnsafeRawBufferPointer(key), value: $0, group: group) }
        }
    }

    /// Waits until every message sent so far is delivered or failed. Throws `.timedOut` if some
    /// are still in flight after `timeout`.
    public func flush(timeout: Duration) async throws {
        let milliseconds = Self.milliseconds(timeout)
        try await blockingCalls.run { [client] in
            try client.flush(milliseconds: milliseconds) { left in
                "flush: \(left) messages or events still queued after \(timeout)"
            }
        }
    }

    /// Delivers what is queued (up to `timeout`), then stops the producer. Messages still not
    /// delivered by then are purged, their groups fail with `.purged`, and this throws the flush
    /// error. Later sends throw `.closed`.
    public func close(timeout: Duration = .seconds(30)) async throws {
        let first = state.withLock { state in
            defer { state.closed = true }
            return !state.closed
        }
        guard first else { return }
        var flushError: (any Error)?
        do {
            try await flush(timeout: timeout)
        } catch {
            flushError = error
            client.purgeAll()
        }
        try await blockingCalls.run { [poller] in poller.stopAndWait() }
        state.withLock { $0.topics.removeAll() }
        logger.info("Kafka producer closed", metadata: ["counters": "\(counters)"])
        if let flushError { throw flushError }
    }

    private func topicHandle(_ name: String) throws -> RDKafkaTopic {
        try state.withLock { state in
            guard !state.closed else {
                throw KafkaError(.closed, "cannot send to \(name): the producer is closed")
            }
            if let topic = state.topics[name] { return topic }
            let topic = try RDKafkaTopic(client: client, name: name)
            state.topics[name] = topic
            return topic
        }
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        Int32(clamping: max(0, duration.wholeMilliseconds))
    }
}

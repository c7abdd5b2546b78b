import VeredictoCore

/// The consumers a transport has made, kept for the readiness probe of `veredicto serve`: it
/// asks a broker whether it answers and reads each consumer's progress.
public final class KafkaConsumerWatch: Sendable {
    private let consumers = LockedValue<[KafkaConsumer]>([])
    private let probes = BlockingExecutor(name: "veredicto.kafka.health")

    public init() {}

    func register(_ consumer: KafkaConsumer) {
        consumers.withLock { $0.append(consumer) }
    }

    /// The consumers registered so far, with their group ids.
    public var watched: [(group: String, progress: KafkaConsumerProgress)] {
        consumers.withLock { $0 }.map { ($0.configuration.groupID, $0.progress) }
    }

    /// Throws when no broker answers a metadata request of the first consumer within
    /// `timeout` (nothing to ask before a consumer exists).
    public func probeBroker(timeout: Duration) async throws {
        guard let consumer = consumers.withLock({ $0.first }) else { return }
        try await probes.run { try consumer.probeBroker(timeout: timeout) }
    }
}

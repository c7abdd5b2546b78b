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

    /// What each consumer's offset check found, by group: the records fetches passed over for
    /// good (`KafkaConsumer.passedOver`) and the gaps fetched again and filled
    /// (`KafkaConsumer.gapsRefetched`), summed over the group's consumers in this process.
    public var offsetChecks: [String: (passedOver: Int64, refetched: Int)] {
        var checks: [String: (passedOver: Int64, refetched: Int)] = [:]
        for consumer in consumers.withLock({ $0 }) {
            let sum = checks[consumer.configuration.groupID] ?? (0, 0)
            checks[consumer.configuration.groupID] = (sum.passedOver + consumer.passedOver.records,
                                                      sum.refetched + consumer.gapsRefetched)
        }
        return checks
    }

    /// Throws when no broker answers a metadata request of the first consumer within
    /// `timeout` (nothing to ask before a consumer exists).
    public func probeBroker(timeout: Duration) async throws {
        guard let consumer = consumers.withLock({ $0.first }) else { return }
        try await probes.run { try consumer.probeBroker(timeout: timeout) }
    }
}

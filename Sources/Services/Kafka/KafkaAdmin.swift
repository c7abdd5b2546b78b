import VeredictoCore
import Foundation
import Logging

/// Creates topics and reads the cluster's topic list, through librdkafka's admin API.
///
/// The requests block their own queue, never the cooperative pool.
public final class KafkaAdmin: Sendable {
    private let client: RDKafkaClient
    private let blockingCalls: BlockingExecutor

    public init(configuration: KafkaAdminConfiguration, logger: Logger = Logger(label: "veredicto.kafka")) throws {
        let properties = try configuration.librdkafkaProperties()
        // Admin requests go through any client handle; a producer needs no group.
        client = try RDKafkaClient.make(kind: .producer, properties: properties,
                                        events: RDKafkaClientEvents(logger: logger))
        blockingCalls = BlockingExecutor(name: "veredicto.kafka.admin.\(client.name)")
    }

    /// Creates a topic; an existing topic of that name counts as success. Returns once the topic
    /// is in the cluster's metadata.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1,
                            timeout: Duration = .seconds(30)) async throws {
        try await createTopics([KafkaTopicSpecification(name: name, partitions: partitions,
                                                        replicationFactor: replicationFactor)],
                               timeout: timeout)
    }

    /// Creates topics (`rd_kafka_CreateTopics`); existing ones count as success. Returns once all
    /// are in the cluster's metadata; throws `.timedOut` if that takes longer than `timeout`.
    public func createTopics(_ topics: [KafkaTopicSpecification], timeout: Duration = .seconds(30)) async throws {
        guard !topics.isEmpty else { return }
        for topic in topics {
            try topic.validate()
        }
        let deadline = ContinuousClock.now + timeout
        try await blockingCalls.run { [client] in
            try RDKafkaAdmin.createTopics(topics, client: client, timeout: timeout)
            let wanted = Set(topics.map(\.name))
            while true {
                let remaining = deadline - .now
                let known = Set(try RDKafkaAdmin.metadata(client: client, timeout: max(remaining, .milliseconds(100))).map(\.name))
                let missing = wanted.subtracting(known)
                if missing.isEmpty { return }
                if remaining <= .zero {
                    throw KafkaError(.timedOut, "created topics \(missing.sorted()) not in metadata after \(timeout)")
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    /// Every topic in the cluster's metadata, with its partition count, sorted by name.
    public func listTopics(timeout: Duration = .seconds(10)) async throws -> [KafkaTopicMetadata] {
        try await blockingCalls.run { [client] in try RDKafkaAdmin.metadata(client: client, timeout: timeout) }
    }
}

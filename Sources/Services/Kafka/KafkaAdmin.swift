import VeredictoCore
import CRdKafka
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
            try Self.create(topics, client: client, timeout: timeout)
            let wanted = Set(topics.map(\.name))
            while true {
                let remaining = deadline - .now
                let known = Set(try Self.metadata(client: client, timeout: max(remaining, .milliseconds(100))).map(\.name))
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
        try await blockingCalls.run { [client] in try Self.metadata(client: client, timeout: timeout) }
    }

    private static func create(_ topics: [KafkaTopicSpecification], client: RDKafkaClient, timeout: Duration) throws {
        let milliseconds = KafkaProducer.milliseconds(timeout)
        let errorSize = 512
        var errorText = [CChar](repeating: 0, count: errorSize)
        var newTopics: [OpaquePointer?] = []
        defer { newTopics.forEach { rd_kafka_NewTopic_destroy($0) } }
        for topic in topics {
            guard let newTopic = rd_kafka_NewTopic_new(topic.name, Int32(topic.partitions),
                                                       Int32(topic.replicationFactor), &errorText, errorSize)
            else {
                throw KafkaError(.invalidArgument, "topic \(topic.name): \(String(nulTerminated: errorText))")
            }
            newTopics.append(newTopic)
        }
        try client.withHandle { rk in
            let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
            defer { rd_kafka_AdminOptions_destroy(options) }
            _ = rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, &errorText, errorSize)
            _ = rd_kafka_AdminOptions_set_request_timeout(options, milliseconds, &errorText, errorSize)
            let results = rd_kafka_queue_new(rk)
            defer { rd_kafka_queue_destroy(results) }
            newTopics.withUnsafeMutableBufferPointer {
                rd_kafka_CreateTopics(rk, $0.baseAddress, $0.count, options, results)
            }
            guard let event = rd_kafka_queue_poll(results, milliseconds &+ 5000) else {
                throw KafkaError(.timedOut, "no answer to creating topics \(topics.map(\.name)) after \(timeout)")
            }
            defer { rd_kafka_event_destroy(event) }
            let error = rd_kafka_event_error(event)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                let detail = String(cString: rd_kafka_event_error_string(event))
                throw KafkaError(rdKafkaError: error, "cannot create topics \(topics.map(\.name)): \(detail)")
            }
            var count = 0
            guard let result = rd_kafka_event_CreateTopics_result(event),
                  let topicResults = rd_kafka_CreateTopics_result_topics(result, &count)
            else {
                throw KafkaError(.broker, "creating topics \(topics.map(\.name)) gave no per-topic results")
            }
            for index in 0..<count {
                let topicResult = topicResults[index]
                let error = rd_kafka_topic_result_error(topicResult)
                if error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS { continue }
                let name = String(cString: rd_kafka_topic_result_name(topicResult))
                let detail = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? ""
                throw KafkaError(rdKafkaError: error, "cannot create topic \(name): \(detail)")
            }
        }
    }

    private static func metadata(client: RDKafkaClient, timeout: Duration) throws -> [KafkaTopicMetadata] {
        var metadata: UnsafePointer<rd_kafka_metadata_t>?
        let error = client.withHandle { rd_kafka_metadata($0, 1, nil, &metadata, KafkaProducer.milliseconds(timeout)) }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(rdKafkaError: error, "cannot read the cluster's metadata")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        return (0..<Int(metadata.pointee.topic_cnt)).compactMap { index in
            let topic = metadata.pointee.topics[index]
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
            return KafkaTopicMetadata(name: String(cString: topic.topic), partitionCount: Int(topic.partition_cnt))
        }.sorted { $0.name < $1.name }
    }
}

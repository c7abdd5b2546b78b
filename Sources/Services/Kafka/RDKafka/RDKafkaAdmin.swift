import CRdKafka

/// The admin calls of librdkafka: creating topics and reading the cluster's metadata.
enum RDKafkaAdmin {
    static func createTopics(_ topics: [KafkaTopicSpecification], client: RDKafkaClient, timeout: Duration) throws {
        let milliseconds = KafkaProducer.milliseconds(timeout)
        var newTopics: [OpaquePointer?] = []
        defer { newTopics.forEach { rd_kafka_NewTopic_destroy($0) } }
        for topic in topics {
            let made = RDKafkaError.withErrorText {
                rd_kafka_NewTopic_new(topic.name, Int32(topic.partitions), Int32(topic.replicationFactor), $0, $1)
            }
            guard let newTopic = made.result else {
                throw KafkaError(.invalidArgument, "topic \(topic.name): \(made.text)")
            }
            newTopics.append(newTopic)
        }
        try client.withHandle { rk in
            let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
            defer { rd_kafka_AdminOptions_destroy(options) }
            _ = RDKafkaError.withErrorText { rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, $0, $1) }
            _ = RDKafkaError.withErrorText { rd_kafka_AdminOptions_set_request_timeout(options, milliseconds, $0, $1) }
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

    static func metadata(client: RDKafkaClient, timeout: Duration) throws -> [KafkaTopicMetadata] {
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

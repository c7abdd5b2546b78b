import VeredictoCore

extension PipelineMessage {
    /// The message ready to publish on its topic, keyed by `key` (the question id).
    package func outbound(_ topics: PipelineTopics, key: String) -> OutboundMessage {
        OutboundMessage(topic: topics.name(Self.topic), key: key, value: jsonBytes)
    }
}

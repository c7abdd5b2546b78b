import VeredictoCore

extension PipelineMessage {
    /// The message ready to publish on its topic, keyed by `key` (the question id).
    package func outbound(_ topics: PipelineTopics, key: String) -> OutboundMessage {
        OutboundMessage(topic: topics.name(Self.topic), key: key, value: jsonBytes)
    }
}

extension ValidatedResponse {
    /// A decision that ends an LLM chain, published twice with the same bytes: on
    /// `validated_responses` for the store and on `chain_decisions` for the cache.
    package func chainEnd(_ topics: PipelineTopics, key: String) -> [OutboundMessage] {
        let value = jsonBytes
        return [OutboundMessage(topic: topics.name(.validatedResponses), key: key, value: value),
                OutboundMessage(topic: topics.name(.chainDecisions), key: key, value: value)]
    }
}

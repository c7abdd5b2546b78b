/// The topic names a deployment uses: the standard names, with an optional prefix so that
/// tests and experiments can share one broker without mixing their messages.
public struct PipelineTopics: Sendable, Equatable {
    public let prefix: String

    public init(prefix: String = "") {
        self.prefix = prefix
    }

    public func name(_ topic: Topic) -> String { prefix + topic.rawValue }

    /// The topic a name belongs to (nil for names of other deployments).
    public func topic(named name: String) -> Topic? {
        guard name.hasPrefix(prefix) else { return nil }
        return Topic(rawValue: String(name.dropFirst(prefix.count)))
    }
}

extension PipelineMessage {
    /// The message ready to publish on its topic, keyed by `key` (the trace id).
    func outbound(_ topics: PipelineTopics, key: String) -> OutboundMessage {
        OutboundMessage(topic: topics.name(Self.topic), key: key, value: jsonBytes)
    }
}

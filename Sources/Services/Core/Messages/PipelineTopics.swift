/// The topic names a deployment uses: the standard names, with an optional prefix so that
/// tests and experiments can share one broker without mixing their messages.
public struct PipelineTopics: Sendable, Equatable {
    public let prefix: String
    /// Every topic's full name, in `Topic.allCases` order: made once, because services name
    /// the topic of every message they publish (a name longer than 15 bytes is a heap string).
    private let names: [String]

    public init(prefix: String = "") {
        self.prefix = prefix
        names = Topic.allCases.map { prefix + $0.rawValue }
    }

    public func name(_ topic: Topic) -> String { names[topic.ordinal] }

    /// The topic a name belongs to (nil for names of other deployments).
    public func topic(named name: String) -> Topic? {
        guard name.hasPrefix(prefix) else { return nil }
        return Topic(rawValue: String(name.dropFirst(prefix.count)))
    }
}

extension Topic {
    /// The position in `allCases`.
    var ordinal: Int {
        switch self {
        case .questionsIn: 0
        case .llmRequests: 1
        case .llmResponses: 2
        case .llmErrors: 3
        case .regenerationRequests: 4
        case .validatedResponses: 5
        case .deadLetters: 6
        }
    }

    /// Whether `name` is this topic's name behind some prefix, compared as bytes. A stage
    /// asks this for every record it reads, so the bytes are compared in place: walking the
    /// strings' views backwards was 1.7 % of the samples of an embedded run's profile.
    package func isSuffix(of name: String) -> Bool {
        var name = name, suffix = rawValue
        return name.withUTF8 { full in
            suffix.withUTF8 { tail in
                full.count >= tail.count
                    && UnsafeBufferPointer(rebasing: full[(full.count - tail.count)...]).elementsEqual(tail)
            }
        }
    }
}

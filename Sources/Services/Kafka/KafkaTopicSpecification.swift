/// A topic to create.
public struct KafkaTopicSpecification: Hashable, Sendable {
    public var name: String
    public var partitions: Int
    public var replicationFactor: Int

    public init(name: String, partitions: Int, replicationFactor: Int = 1) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
    }

    func validate() throws {
        guard !name.isEmpty, name.count <= 249,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else {
            throw KafkaError(.invalidArgument, "topic name \"\(name)\" must be 1-249 characters of a-z A-Z 0-9 . _ -")
        }
        guard (1...1_000_000).contains(partitions) else {
            throw KafkaError(.invalidArgument, "topic \(name): partitions must be at least 1, got \(partitions)")
        }
        guard (1...Int(Int16.max)).contains(replicationFactor) else {
            throw KafkaError(.invalidArgument,
                             "topic \(name): replicationFactor must be at least 1, got \(replicationFactor)")
        }
    }
}

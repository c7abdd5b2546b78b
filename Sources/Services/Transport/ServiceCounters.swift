/// Counters of one running service.
public struct ServiceCounters: Sendable {
    public init() {}

    public var batches = 0
    /// Messages polled, whether or not their batch is committed yet (a redelivered message
    /// counts again); `consumed` counts those of committed batches.
    public var polled = 0
    public var consumed = 0
    public var produced = 0
    public var deadLetters = 0
    public var retriedBatches = 0
    /// Messages consumed and produced (dead letters included), by topic.
    public var consumedByTopic: [String: Int] = [:]
    public var producedByTopic: [String: Int] = [:]
}

/// Messages per topic, counted a run at a time: a batch comes mostly in long runs of one
/// topic, so this compares names instead of hashing one per message.
public struct TopicTally {
    private var finished: [String: Int] = [:]
    private var current: String?
    private var run = 0

    public init() {}

    public mutating func count(_ topic: String) {
        if topic != current {
            if let current { finished[current, default: 0] += run }
            current = topic
            run = 0
        }
        run += 1
    }

    public var counts: [String: Int] {
        var all = finished
        if let current { all[current, default: 0] += run }
        return all
    }
}

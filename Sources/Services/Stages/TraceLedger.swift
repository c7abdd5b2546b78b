/// What the score service remembers per trace, so that it never loops forever and ignores
/// duplicates and stale attempts: the attempt it waits for next, whether the trace is
/// decided, and the first attempt's score. Bounded: the oldest traces are forgotten first
/// (a trace lives for seconds; the store deduplicates whatever a forgotten trace repeats).
public struct TraceLedger: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// Score it: the attempt the trace is waiting for (or a trace not seen yet).
        case score
        /// The trace is already decided: a late or repeated response.
        case decided
        /// An attempt older than, or equal to, one already scored.
        case stale
    }

    struct Entry: Sendable {
        var lastScored: Int   // highest attempt scored, 0 = none
        var decided: Bool
        var firstScore: Double?
    }

    public let capacity: Int
    private var entries: [String: Entry] = [:]
    private var order: [String] = []  // insertion order, for eviction
    private var orderHead = 0
    public private(set) var evictions = 0

    public init(capacity: Int = 1_000_000) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    public var count: Int { entries.count }

    /// Whether to score attempt `attempt` of `trace`.
    public func verdict(trace: String, attempt: Int) -> Verdict {
        guard let entry = entries[trace] else { return .score }
        if entry.decided { return .decided }
        if attempt <= entry.lastScored { return .stale }
        return .score
    }

    /// Records a scored attempt; returns the trace's first score (this one for attempt 1,
    /// or `carried` when the first attempt was scored before this service's memory).
    @discardableResult
    public mutating func recordScore(trace: String, attempt: Int, score: Double, carried: Double? = nil) -> Double {
        var entry = entries[trace] ?? insert(trace)
        entry.lastScored = max(entry.lastScored, attempt)
        if entry.firstScore == nil { entry.firstScore = carried ?? score }
        entries[trace] = entry
        return entry.firstScore!
    }

    /// Marks a trace decided: any later response of it is dropped.
    public mutating func decide(trace: String) {
        var entry = entries[trace] ?? insert(trace)
        entry.decided = true
        entries[trace] = entry
    }

    private mutating func insert(_ trace: String) -> Entry {
        if entries.count >= capacity {
            // Forget the oldest trace still remembered.
            while orderHead < order.count {
                let oldest = order[orderHead]
                orderHead += 1
                if entries.removeValue(forKey: oldest) != nil {
                    evictions += 1
                    break
                }
            }
            if orderHead > 65_536 && orderHead * 2 > order.count {
                order.removeFirst(orderHead)
                orderHead = 0
            }
        }
        order.append(trace)
        let entry = Entry(lastScored: 0, decided: false, firstScore: nil)
        entries[trace] = entry
        return entry
    }
}

/// Tells a stalled consumer from an idle or a busy one: stalled means messages are waiting
/// (lag above zero) and its position has not moved for `limit`.
public struct StallDetector: Sendable {
    public let limit: Duration
    private var lastPosition: Int64?
    private var lastProgress: ContinuousClock.Instant?

    public init(limit: Duration) {
        self.limit = limit
    }

    /// Takes the consumer's lag and position now; true when it is stalled.
    public mutating func update(lag: Int64, position: Int64, now: ContinuousClock.Instant = .now) -> Bool {
        if lastProgress == nil || lag <= 0 || position != lastPosition {
            lastPosition = position
            lastProgress = now
            return false
        }
        return now - lastProgress! >= limit
    }

    /// How long the position has stood still (zero while it moves or nothing waits).
    public func still(now: ContinuousClock.Instant = .now) -> Duration {
        lastProgress.map { now - $0 } ?? .zero
    }
}

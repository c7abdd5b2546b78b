/// Where a consumer stands, for readiness: whether it has joined its group, what it owns, how
/// far behind it is, and how far it has read.
public struct KafkaConsumerProgress: Sendable, Equatable {
    /// The group gave this consumer an assignment (possibly empty) at least once.
    public var joined: Bool
    /// Partitions assigned now.
    public var partitions: Int
    /// Messages behind: the high watermark minus the position, summed over the assigned
    /// partitions that have both (librdkafka's cached watermarks, refreshed by its fetches).
    public var lag: Int64
    /// The sum of the positions (next offset to read) of the assigned partitions: it moves
    /// whenever the consumer reads.
    public var position: Int64

    public init(joined: Bool, partitions: Int, lag: Int64, position: Int64) {
        self.joined = joined
        self.partitions = partitions
        self.lag = lag
        self.position = position
    }
}

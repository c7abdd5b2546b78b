import Logging

/// What librdkafka's callbacks report to for one client: the conf's opaque pointer points at it.
///
/// `RDKafkaClient` keeps it alive for as long as the `rd_kafka_t` exists, so the callbacks can
/// take it unretained. Every member is immutable or thread-safe, since librdkafka calls back from
/// its own threads and from whichever thread polls.
final class RDKafkaClientEvents: Sendable {
    let logger: Logger
    /// Producer: counts delivery reports (the per-message `DeliveryGroup` comes with each report).
    let deliveries: ProducerTally?
    /// Consumer: the partitions the group currently gives this member.
    let assignment: ConsumerAssignment?
    /// Receives librdkafka's statistics JSON when `statistics.interval.ms` is set.
    let statistics: (@Sendable (String) -> Void)?

    init(
        logger: Logger,
        deliveries: ProducerTally? = nil,
        assignment: ConsumerAssignment? = nil,
        statistics: (@Sendable (String) -> Void)? = nil
    ) {
        self.logger = logger
        self.deliveries = deliveries
        self.assignment = assignment
        self.statistics = statistics
    }
}

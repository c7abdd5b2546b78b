import Logging
import VeredictoCore

/// A member of a consumer group: reads the group's share of its topics' partitions in batches and
/// commits offsets only when told to.
///
/// Use: `poll` a batch, process it, wait for everything it produced (`DeliveryGroup.wait`), then
/// `commit` it. A crash before the commit means the batch is read again: at-least-once. Blocking
/// librdkafka calls run on a queue of the consumer's own, one at a time. Call `close()` to leave
/// the group cleanly.
public final class KafkaConsumer: Sendable {
    public let configuration: KafkaConsumerConfiguration

    private let client: RDKafkaClient
    private let assignment: ConsumerAssignment
    private let blockingCalls: BlockingExecutor
    private let closed = LockedValue(false)
    private let wake = LockedValue(WakeState())
    /// Per partition, the unreadable batch being stepped over: its base offset and the last
    /// offset sought to inside it.
    private let skips = LockedValue([KafkaTopicPartition: CorruptSkip]())
    /// Where each partition's next record is expected, and the records fetches passed over.
    private let continuity = LockedValue(Continuity())

    static let passedOverForGood: Logger.Message = """
        the fetch passed over records, and fetching them again for the consumer's gap patience did not deliver \
        them: this consumer never reads them, and its commits pass over them. The partition's log has holes of \
        its own (transaction markers, compaction): its gaps are counted from now on in this assignment, not \
        fetched again
        """

    struct CorruptSkip: Sendable {
        let base: Int64
        var sought: Int64
    }

    /// Whether a poll waits for its first message, and whether a wake-up came while none did.
    struct WakeState: Sendable {
        var waiting = false
        var pending = false
    }
    private let logger: Logger

    /// Creates the consumer and subscribes to `configuration.topics`; the group join happens in
    /// the background during the first polls.
    public convenience init(configuration: KafkaConsumerConfiguration,
                            logger: Logger = Logger(label: "veredicto.kafka")) throws {
        try self.init(configuration: configuration, logger: logger, statistics: nil)
    }

    /// As the public initializer, with a receiver for librdkafka's statistics JSON.
    package init(configuration: KafkaConsumerConfiguration, logger: Logger,
         statistics: (@Sendable (String) -> Void)?) throws {
        let properties = try configuration.librdkafkaProperties()
        let assignment = ConsumerAssignment()
        let events = RDKafkaClientEvents(logger: logger, assignment: assignment, statistics: statistics)
        let client = try RDKafkaClient.make(kind: .consumer, properties: properties, events: events)
        // Route the main queue (errors, statistics, rebalances) into the one consumer_poll serves.
        try client.redirectMainQueueToConsumer(context: "cannot create consumer for group \(configuration.groupID)")
        let topics = RDKafkaTopicPartitionList(capacity: configuration.topics.count)
        for topic in configuration.topics {
            topics.add(topic: topic)
        }
        try client.subscribe(topics, context: "cannot subscribe to \(configuration.topics)")
        self.configuration = configuration
        self.client = client
        self.assignment = assignment
        self.logger = logger
        self.blockingCalls = BlockingExecutor(name: "veredicto.kafka.\(client.name)")
    }

    deinit {
        if !closed.withLock({ $0 }) {
            logger.warning("KafkaConsumer released without close(): leaving group \(configuration.groupID) now")
        }
    }

    /// The partitions the group currently gives this consumer.
    public var assignedPartitions: [KafkaTopicPartition] { assignment.partitions }

    /// Partitions a rebalance gave to another member since the last call (see `ConsumerAssignment`).
    public func takeMovedAway() -> [KafkaTopicPartition] { assignment.takeMovedAway() }

    /// When the first partitions were assigned (the end of the first group join), if they were.
    package var firstAssignment: ContinuousClock.Instant? { assignment.firstAssignment }

    /// Joined or not, partitions, lag and position now (no round trip: librdkafka's own state).
    public var progress: KafkaConsumerProgress {
        let owned = assignment.partitions
        var lag: Int64 = 0
        var position: Int64 = 0
        if !owned.isEmpty {
            let list = RDKafkaTopicPartitionList(capacity: owned.count)
            for partition in owned { list.add(topic: partition.topic, partition: partition.partition) }
            (lag, position) = client.lagAndPosition(of: list)
        }
        return KafkaConsumerProgress(joined: assignment.joined, partitions: owned.count, lag: lag, position: position)
    }

    /// Forward jumps in the offsets handed to this consumer (`OffsetContinuity`) that fetching
    /// them again did not fill, and the records they passed over: records never delivered to
    /// it. Each is logged.
    public var passedOver: (gaps: Int, records: Int64) {
        continuity.withLock { ($0.gaps, $0.records) }
    }

    /// Forward jumps that fetching from their first offset filled: the records came, late.
    public var gapsRefetched: Int {
        continuity.withLock { $0.refetched }
    }

    /// How many times the consumer decided to fetch a gap again (each a seek back to its first
    /// offset).
    public var refetches: Int {
        continuity.withLock { $0.refetches }
    }

    /// Asks a broker for metadata and waits up to `timeout` for the answer; throws when none
    /// answers. Blocks the calling thread: run it on a thread of its own, not the poll's.
    public func probeBroker(timeout: Duration) throws {
        try client.probeBroker(timeoutMilliseconds: KafkaProducer.milliseconds(timeout)) {
            "no broker answered a metadata request within \(timeout)"
        }
    }

    /// Up to `maxMessages` messages (default `configuration.maxBatchSize`), waiting up to
    /// `timeout` for the first one; an empty batch if none came. Also serves rebalances.
    public func poll(maxMessages: Int? = nil, timeout: Duration) async throws -> KafkaMessageBatch {
        let limit = maxMessages ?? configuration.maxBatchSize
        guard limit > 0 else {
            throw KafkaError(.invalidArgument, "poll(maxMessages:) must be positive, got \(limit)")
        }
        try checkOpen("poll")
        let patience = configuration.gapPatience
        return try await blockingCalls.run { [client, assignment, logger, wake, skips, continuity] in
            try Self.pollBlocking(client: client, assignment: assignment, logger: logger, wake: wake, skips: skips,
                                  continuity: continuity, gapPatience: patience, limit: limit, timeout: timeout)
        }
    }

    /// Commits, for each partition in `batch`, its highest offset + 1, and waits for the broker.
    /// Partitions revoked by a rebalance since the batch was polled are not committed: the others
    /// are, then this throws `.partitionsRevoked` naming them (their messages go to the new owner
    /// again: at-least-once).
    public func commit(_ batch: KafkaMessageBatch) async throws {
        guard !batch.positions.isEmpty else { return }
        try checkOpen("commit")
        try await blockingCalls.run { [client, assignment] in
            try Self.commit(batch, client: client, assignment: assignment, wait: true)
        }
    }

    /// As `commit`, without waiting for the broker: the request is queued and this returns at
    /// once, so a pipeline stage goes on polling while the commit travels. A commit the broker
    /// refuses is logged; the next commit covers the same partitions with higher offsets, and
    /// until then a crash only means those messages are read again (at-least-once). Commits
    /// still in flight complete before `close()` leaves the group. Throws `.partitionsRevoked`
    /// like `commit`.
    public func commitWithoutWaiting(_ batch: KafkaMessageBatch) throws {
        guard !batch.positions.isEmpty else { return }
        try checkOpen("commit")
        try Self.commit(batch, client: client, assignment: assignment, wait: false)
    }

    /// Makes the `poll` waiting now, or else the next one, return at once (empty if nothing
    /// has arrived). Any thread may call it: a producer's delivery report uses it to hand the
    /// consumer's loop back to the caller the moment a batch is acknowledged.
    public func wakeUp() {
        // Yield only a poll that is waiting for its first message: yielding one that is taking
        // a batch would cut the batch short. Otherwise the next poll is told not to wait.
        let waiting = wake.withLock { wake in
            if !wake.waiting { wake.pending = true }
            return wake.waiting
        }
        guard waiting else { return }
        client.yieldConsumerPoll()
    }

    /// Stops fetching the partitions of `topics` (those held now and those assigned later) and
    /// resumes every other one: back-pressure for a stage that sets messages aside.
    public func pause(topics: Set<String>) {
        assignment.pausedTopics = topics
        let owned = assignment.partitions
        let paused = owned.filter { topics.contains($0.topic) }
        let resumed = owned.filter { !topics.contains($0.topic) }
        client.withHandle { rk in
            if !paused.isEmpty { RDKafkaTopicPartitionList.pause(paused, resume: false, rk: rk) }
            if !resumed.isEmpty { RDKafkaTopicPartitionList.pause(resumed, resume: true, rk: rk) }
        }
    }

    /// Leaves the group (its partitions go to the other members at once) and stops consuming.
    public func close() async throws {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        try await blockingCalls.run { [client] in
            try client.closeConsumer()
        }
        assignment.revokeAll()
        logger.info("Kafka consumer closed", metadata: ["group": "\(configuration.groupID)"])
    }

    private func checkOpen(_ operation: String) throws {
        if closed.withLock({ $0 }) {
            throw KafkaError(.closed, "cannot \(operation): the consumer of group \(configuration.groupID) is closed")
        }
    }

    private static func pollBlocking(client: RDKafkaClient, assignment: ConsumerAssignment, logger: Logger,
                                     wake: LockedValue<WakeState>, skips: LockedValue<[KafkaTopicPartition: CorruptSkip]>,
                                     continuity: LockedValue<Continuity>, gapPatience: Duration, limit: Int,
                                     timeout: Duration) throws -> KafkaMessageBatch {
        var messages: [RDKafkaMessagePointer] = []
        messages.reserveCapacity(min(limit, 65_536))
        var corruptPlaces: [KafkaMessageBatch.CorruptPlace] = []
        let deadline = ContinuousClock.now + timeout
        let epochsBeforePoll = assignment.epochs
        polling: while messages.count + corruptPlaces.count < limit {
            // Wait only for the first message (unless woken meanwhile); then take what is
            // already fetched.
            let first = messages.isEmpty && corruptPlaces.isEmpty
            var wait: Int32 = 0
            if first {
                let woken = wake.withLock { wake in
                    defer { wake.pending = false }
                    wake.waiting = !wake.pending
                    return wake.pending
                }
                if !woken { wait = KafkaProducer.milliseconds(deadline - .now) }
            }
            let polled = client.consumerPoll(milliseconds: wait)
            if first { wake.withLock { $0.waiting = false } }
            switch polled {
            case .message(let message):
                messages.append(message)
            case .corruptBatch(let topic, let partition, let offset, let detail):
                do {
                    if let place = try stepOver(client: client, skips: skips, logger: logger, topic: topic,
                                                partition: partition, base: offset, detail: detail) {
                        corruptPlaces.append(place)
                    }
                } catch {
                    messages.forEach(RDKafkaMessage.destroy)
                    throw error
                }
                if messages.isEmpty, corruptPlaces.isEmpty, ContinuousClock.now >= deadline { break polling }
            case .nothing:
                break polling
            case .partitionEnd:
                continue
            case .error(let error, fatal: true):
                messages.forEach(RDKafkaMessage.destroy)
                throw error
            case .error(let error, fatal: false):
                logger.warning("consumer error (librdkafka retries): \(error.message)")
                if messages.isEmpty, ContinuousClock.now >= deadline { break polling }
            }
        }
        // Partitions assigned during the poll are checked in their new assignment.
        let epochs = epochsBeforePoll.merging(assignment.epochs) { before, _ in before }
        messages = Self.checkContinuity(messages, corrupt: Set(corruptPlaces.map(\.partition)), epochs: epochs,
                                        client: client, continuity: continuity, patience: gapPatience,
                                        now: .now, logger: logger)
        return KafkaMessageBatch(client: client, messages: messages, corruptPlaces: corruptPlaces,
                                 epochsBeforePoll: epochsBeforePoll, assignment: assignment)
    }

    /// Checks that the offsets of `messages` follow on from each other, partition by partition
    /// (`OffsetContinuity`). At a forward jump, the partition is sought back to the gap's first
    /// offset and its messages from the jump on are dropped from this poll: the next fetches
    /// deliver the gap's records, then those again. A gap still met from the same offset
    /// `patience` after it was first met is taken as the log's (a transaction marker, a
    /// compacted topic), logged and counted; that partition's later gaps in the same assignment
    /// are only counted.
    /// Returns the messages to deliver.
    private static func checkContinuity(_ messages: [RDKafkaMessagePointer], corrupt: Set<KafkaTopicPartition>,
                                        epochs: [KafkaTopicPartition: UInt64], client: RDKafkaClient,
                                        continuity: LockedValue<Continuity>, patience: Duration,
                                        now: ContinuousClock.Instant, logger: Logger) -> [RDKafkaMessagePointer] {
        var state = continuity.withLock { $0 }
        let holeyBefore = state.holeyPartitions(in: epochs)
        let first = firstGaps(in: messages, skipping: corrupt.union(holeyBefore), epochs: epochs,
                              continuity: state.offsets)
        // Partitions fetched again from a gap's first offset that now came without a jump there.
        if !state.refetching.isEmpty {
            var delivered = Set<KafkaTopicPartition>()
            for message in messages {
                delivered.insert(KafkaTopicPartition(topic: RDKafkaMessage.topicName(handle: message.pointee.rkt),
                                                     partition: message.pointee.partition))
            }
            for (partition, refetch) in state.filled(delivered: delivered, firstGaps: first.mapValues(\.gap)) {
                logger.notice("records the fetch had passed over came when fetched again", metadata: [
                    "partition": "\(partition)", "from offset": "\(refetch.from)", "fetches": "\(refetch.fetches)",
                    "waited": "\(now - refetch.since)",
                ])
            }
        }
        var dropFrom: [KafkaTopicPartition: (index: Int, from: Int64, epoch: UInt64)] = [:]
        for (partition, found) in first {
            let gap = found.gap
            guard let refetch = state.fetchAgain(gap, epoch: found.epoch, now: now, patience: patience) else { continue }
            do {
                try client.seek(topic: partition.topic, partition: partition.partition, offset: gap.from,
                                timeoutMilliseconds: 10_000)
            } catch {
                logger.warning("cannot fetch passed-over records again: \(error)", metadata: ["partition": "\(partition)"])
                continue
            }
            state.refetching[partition] = refetch
            dropFrom[partition] = (found.index, gap.from, found.epoch)
            // The first fetch again is logged; the outcome is logged whichever it is.
            if refetch.fetches == 1 {
                logger.warning("the fetch passed over records: fetching them again", metadata: [
                    "partition": "\(partition)", "offsets": "\(gap.from)..<\(gap.to)", "records": "\(gap.records)",
                    "patience": "\(patience)",
                ])
            }
        }
        var kept = messages
        if !dropFrom.isEmpty {
            kept = []
            kept.reserveCapacity(messages.count)
            for (index, message) in messages.enumerated() {
                let partition = KafkaTopicPartition(topic: RDKafkaMessage.topicName(handle: message.pointee.rkt),
                                                    partition: message.pointee.partition)
                if let drop = dropFrom[partition], index >= drop.index {
                    RDKafkaMessage.destroy(message)
                } else {
                    kept.append(message)
                }
            }
        }
        let gaps = Self.gaps(in: kept, corrupt: corrupt, epochs: epochs, continuity: &state.offsets)
        for (partition, drop) in dropFrom { state.offsets.record(partition, next: drop.from, epoch: drop.epoch) }
        state.gaps += gaps.count
        for gap in gaps { state.records += gap.records }
        // The first gap taken as the log's in each partition is logged; the rest are counted.
        var logged = holeyBefore
        for gap in gaps where logged.insert(gap.partition).inserted {
            logger.error(Self.passedOverForGood, metadata: [
                "partition": "\(gap.partition)", "offsets": "\(gap.from)..<\(gap.to)", "records": "\(gap.records)",
            ])
        }
        let final = state
        continuity.withLock { $0 = final }
        return kept
    }

    /// Calls `body` for each message of a partition that is checked (not in `skipped`, and
    /// assigned: in `epochs`), with its index and offset, its partition and assignment epoch, and
    /// whether it begins a run of that partition. Messages come in runs of one partition: its
    /// name is read once per run.
    private static func forEachChecked(
        _ messages: [RDKafkaMessagePointer], skipping skipped: Set<KafkaTopicPartition>,
        epochs: [KafkaTopicPartition: UInt64],
        _ body: (_ index: Int, _ offset: Int64, _ partition: KafkaTopicPartition, _ epoch: UInt64, _ runStarts: Bool) -> Void
    ) {
        var handle: OpaquePointer?
        var partitionNumber: Int32 = -1
        var current: (partition: KafkaTopicPartition, epoch: UInt64)?
        for (index, message) in messages.enumerated() {
            var runStarts = false
            if message.pointee.rkt != handle || message.pointee.partition != partitionNumber {
                handle = message.pointee.rkt
                partitionNumber = message.pointee.partition
                let partition = KafkaTopicPartition(topic: RDKafkaMessage.topicName(handle: message.pointee.rkt),
                                                    partition: partitionNumber)
                current = skipped.contains(partition) ? nil : epochs[partition].map { (partition, $0) }
                runStarts = true
            }
            guard let current else { continue }
            body(index, message.pointee.offset, current.partition, current.epoch, runStarts)
        }
    }

    /// The first forward jump of each partition in `messages` (but the `skipped` ones): the index
    /// of the record after it, the gap, and the partition's assignment epoch. Changes nothing.
    private static func firstGaps(in messages: [RDKafkaMessagePointer], skipping skipped: Set<KafkaTopicPartition>,
                                  epochs: [KafkaTopicPartition: UInt64], continuity: OffsetContinuity)
        -> [KafkaTopicPartition: (index: Int, gap: OffsetContinuity.Gap, epoch: UInt64)]
    {
        var found: [KafkaTopicPartition: (index: Int, gap: OffsetContinuity.Gap, epoch: UInt64)] = [:]
        // Where each partition stands within this poll; the run in hand's, in `expected`.
        var expectedOf: [KafkaTopicPartition: Int64] = [:]
        var running: KafkaTopicPartition?
        var expected: Int64?
        forEachChecked(messages, skipping: skipped, epochs: epochs) { index, offset, partition, epoch, runStarts in
            if runStarts {
                if let running, let expected { expectedOf[running] = expected }
                running = partition
                expected = expectedOf[partition] ?? continuity.expected(partition, epoch: epoch)
            }
            if let expected, offset > expected, found[partition] == nil {
                found[partition] = (index, OffsetContinuity.Gap(partition: partition, from: expected, to: offset), epoch)
            }
            expected = offset &+ 1
        }
        return found
    }

    /// The forward jumps in the offsets of `messages`, partition by partition, against where
    /// each partition stood after the last poll of the same assignment; records where each
    /// partition stands after them. Partitions whose unreadable batches were stepped over in
    /// this poll are not checked, and forgotten: the consumer moved them itself.
    private static func gaps(in messages: [RDKafkaMessagePointer], corrupt: Set<KafkaTopicPartition>,
                             epochs: [KafkaTopicPartition: UInt64],
                             continuity: inout OffsetContinuity) -> [OffsetContinuity.Gap] {
        var gaps: [OffsetContinuity.Gap] = []
        // The run in hand: its partition and epoch, and the offset expected next. Where it stood
        // is looked up once per run; within a run, offsets are compared in place.
        var running: (partition: KafkaTopicPartition, epoch: UInt64)?
        var expected: Int64 = 0
        forEachChecked(messages, skipping: corrupt, epochs: epochs) { _, offset, partition, epoch, runStarts in
            if runStarts {
                if let running { continuity.record(running.partition, next: expected, epoch: running.epoch) }
                running = (partition, epoch)
                if let gap = continuity.observe(partition, offset: offset, epoch: epoch) { gaps.append(gap) }
            } else if offset > expected {
                gaps.append(OffsetContinuity.Gap(partition: partition, from: expected, to: offset))
            }
            expected = offset &+ 1
        }
        if let running { continuity.record(running.partition, next: expected, epoch: running.epoch) }
        for partition in corrupt { continuity.forget(partition) }
        return gaps
    }

    /// Moves a partition one offset further into the unreadable batch based at `base`: the
    /// batch's last offset is not known, so a longer step could pass over valid records of the
    /// next batch. The batch's offsets already sought to are known to be unreadable (the log
    /// does not change), so stepping goes on from the furthest of them. Returns the place to
    /// report the first time a batch is met, nil while stepping over it.
    private static func stepOver(client: RDKafkaClient, skips: LockedValue<[KafkaTopicPartition: CorruptSkip]>,
                                 logger: Logger, topic: String, partition: Int32, base: Int64,
                                 detail: String) throws -> KafkaMessageBatch.CorruptPlace? {
        let key = KafkaTopicPartition(topic: topic, partition: partition)
        let (target, isNew) = skips.withLock { skips -> (Int64, Bool) in
            if var skip = skips[key], skip.base == base {
                skip.sought += 1
                skips[key] = skip
                return (skip.sought, false)
            }
            skips[key] = CorruptSkip(base: base, sought: base + 1)
            return (base + 1, true)
        }
        if isNew {
            logger.error("record batch does not decompress: skipping it", metadata: [
                "partition": "\(key)", "offset": "\(base)", "detail": "\(detail)",
            ])
        }
        try client.seek(topic: topic, partition: partition, offset: target, timeoutMilliseconds: 10_000)
        return isNew ? KafkaMessageBatch.CorruptPlace(partition: key, offset: base, detail: detail) : nil
    }

    private static func commit(_ batch: KafkaMessageBatch, client: RDKafkaClient,
                               assignment: ConsumerAssignment, wait: Bool) throws {
        let current = assignment.epochs(of: batch.positions.map(\.partition))
        var owned: [KafkaMessageBatch.PartitionPosition] = []
        var revoked: [KafkaTopicPartition] = []
        for (position, epoch) in zip(batch.positions, current) {
            if let epoch, epoch == position.epoch {
                owned.append(position)
            } else {
                revoked.append(position.partition)
            }
        }
        if !owned.isEmpty {
            let offsets = RDKafkaTopicPartitionList(capacity: owned.count)
            for position in owned {
                offsets.add(topic: position.partition.topic, partition: position.partition.partition,
                            offset: position.nextOffset)
            }
            let names = owned.map(\.partition.description).joined(separator: ", ")
            try client.commit(offsets, wait: wait, names: names)
        }
        if !revoked.isEmpty {
            let names = revoked.sorted().map(\.description).joined(separator: ", ")
            throw KafkaError(
                .partitionsRevoked,
                "offsets of \(names) not committed: a rebalance revoked them after the batch was polled, "
                    + "so their messages will be delivered again to the partition's new owner (at-least-once)")
        }
    }
}

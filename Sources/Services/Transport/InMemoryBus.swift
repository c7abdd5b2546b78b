import VeredictoCore
/// The transport of the embedded mode: partitioned, bounded topic logs in memory with
/// consumer groups and committed offsets, so the services run unchanged in one process and
/// keep Kafka's at-least-once semantics (a member that leaves without committing hands its
/// uncommitted messages to the next owner).
///
/// Memory is bounded. Without admission topics, a partition keeps at most `capacity` messages
/// not yet committed by every group reading it, and `send` waits (back-pressure) while a
/// partition is full. With admission topics, only sends to those wait, while the whole bus
/// holds `capacity` uncommitted messages; sends to the other topics never wait. The pipeline
/// needs the second: its topics form cycles (cache -> llm -> score -> regeneration -> cache,
/// and the cache reads the validated responses it writes), and bounded queues on a cycle can
/// fill up with every stage waiting for room the next one will never make. Bounding admission
/// keeps memory bounded all the same: every question in progress holds at least one
/// uncommitted message, so at most about `capacity` questions are in progress, each with a few
/// messages. Messages committed by all groups are dropped; a topic nobody reads keeps only its
/// last `capacity` messages.
public actor InMemoryBus: MessageTransport {
    public let partitions: Int
    public let capacity: Int
    /// Topics whose senders wait for room (see above); empty: every partition is bounded.
    public let admissionTopics: Set<String>

    /// A stored record. The key is kept as the producer's string (no copy per message).
    struct Entry: Sendable {
        let key: String
        let value: [UInt8]
    }

    private final class Partition {
        var base: Int64 = 0  // offset of entries[head]
        var entries: [Entry] = []
        var head = 0
        /// The lowest offset committed by the groups reading the topic: what is below it is
        /// dropped, and what is at or above it counts against `capacity`. Kept up to date on
        /// commits and joins, so that checking for room costs nothing per message.
        var floor: Int64 = 0
        var end: Int64 { base + Int64(entries.count - head) }

        func entries(from offset: Int64, count: Int) -> [Entry] {
            let start = head + Int(offset - base)
            return Array(entries[start..<(start + count)])
        }

        func trim(below offset: Int64) {
            guard offset > base else { return }
            let drop = Int(min(offset, end) - base)
            head += drop
            base += Int64(drop)
            if head > 4096 && head * 2 > entries.count {
                entries.removeFirst(head)
                head = 0
            }
        }
    }

    /// A topic: its partitions and the groups that read it.
    private final class TopicLog {
        let name: String
        let partitions: [Partition]
        var readers: [Group] = []

        init(name: String, partitions: Int) {
            self.name = name
            self.partitions = (0..<partitions).map { _ in Partition() }
        }

        /// Recomputes a partition's floor from the readers' committed offsets and drops what
        /// every reader has committed.
        func settle(partition index: Int) {
            let part = partitions[index]
            guard !readers.isEmpty else {
                part.floor = part.base
                return
            }
            var lowest = Int64.max
            for group in readers { lowest = min(lowest, group.committed[name]![index]) }
            part.trim(below: lowest)
            part.floor = max(lowest, part.base)
        }
    }

    private final class Group {
        var committed: [String: [Int64]] = [:]  // topic -> per-partition committed offset
        var members: [Int] = []                 // member ids, in join order
    }

    private final class Member {
        let id: Int
        let group: String
        let topics: [TopicLog]
        var assigned: [[Int]]     // per topic (same order as `topics`): owned partitions
        var positions: [[Int64]]  // per topic: next offset to hand out, per partition
        var rotation = 0          // first topic and partition served next, so none starves
        var paused: Set<String> = []  // topics not handed out (`MessageConsumer.pause`)
        init(id: Int, group: String, topics: [TopicLog]) {
            self.id = id
            self.group = group
            self.topics = topics
            assigned = topics.map { _ in [] }
            positions = topics.map { _ in [] }
        }
    }

    private var topics: [String: TopicLog] = [:]
    private var groups: [String: Group] = [:]
    private var members: [Int: Member] = [:]
    private var nextMember = 0
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0
    private var producerWaiters: [CheckedContinuation<Void, Never>] = []

    public init(partitions: Int = 4, capacity: Int = 65_536, admissionTopics: Set<String> = []) {
        precondition(partitions >= 1 && capacity >= 1)
        self.partitions = partitions
        self.capacity = capacity
        self.admissionTopics = admissionTopics
    }

    // MARK: MessageTransport

    public func makeConsumer(group: String, topics: [String]) async throws -> any MessageConsumer {
        let id = join(group: group, topics: topics)
        return InMemoryConsumer(bus: self, member: id)
    }

    /// Every topic of the bus has `partitions` partitions.
    public func partitionCounts(of topics: [String]) async throws -> [String: Int] {
        Dictionary(topics.map { ($0, partitions) }, uniquingKeysWith: { first, _ in first })
    }

    public func makeProducer() async throws -> any MessageProducer {
        InMemoryProducer(bus: self)
    }

    /// Messages in a topic not yet committed by every group that reads it (for tests and
    /// progress reports).
    public func backlog(topic: String) -> Int {
        guard let log = topics[topic] else { return 0 }
        var total: Int64 = 0
        for partition in log.partitions {
            total += partition.end - (log.readers.isEmpty ? partition.base : partition.floor)
        }
        return Int(total)
    }

    /// Messages of read topics not yet committed by every group reading them.
    public var uncommitted: Int {
        var total: Int64 = 0
        for log in topics.values where !log.readers.isEmpty {
            for partition in log.partitions { total += partition.end - partition.floor }
        }
        return Int(total)
    }

    /// Sends waiting for room (for tests).
    var waitingProducers: Int { producerWaiters.count }

    // MARK: producing

    func append(_ messages: [OutboundMessage]) async {
        var log: TopicLog?
        var admitted = false
        // The bus's uncommitted messages, counted once and then kept up to date by this loop
        // (nothing else changes it until the loop waits); nil: to be counted.
        var known: Int?
        for message in messages {
            if log?.name != message.topic {
                log = topicLog(message.topic)
                admitted = admissionTopics.contains(message.topic)
            }
            let topic = log!
            let index = Self.partition(forKey: message.key, partitions: partitions)
            let part = topic.partitions[index]
            // Back-pressure: wait while the partition (or, for an admission topic, the bus)
            // holds `capacity` uncommitted messages.
            while admissionTopics.isEmpty ? !topic.readers.isEmpty && part.end - part.floor >= Int64(capacity)
                : admitted && (known ?? uncommitted) >= capacity {
                // The room comes from commits: wake the consumers, so that one waiting for
                // messages while it holds polled ones uncommitted returns and commits.
                wakeConsumers()
                await withCheckedContinuation { continuation in
                    producerWaiters.append(continuation)
                }
                known = nil
            }
            if admitted && known == nil { known = uncommitted }
            if !topic.readers.isEmpty, let count = known { known = count + 1 }
            part.entries.append(Entry(key: message.key, value: message.value))
            if topic.readers.isEmpty {
                part.trim(below: part.end - Int64(capacity))
                part.floor = part.base
            }
        }
        wakeConsumers()
    }

    /// The partition of a key: the Kafka transport's partitioner, so a question lands on the
    /// same partition number over either transport.
    static func partition(forKey key: String, partitions: Int) -> Int {
        KeyPartitioner.partition(forKey: key, partitions: partitions)
    }

    private func topicLog(_ name: String) -> TopicLog {
        if let log = topics[name] { return log }
        let log = TopicLog(name: name, partitions: partitions)
        topics[name] = log
        return log
    }

    // MARK: consuming

    private func join(group name: String, topics wanted: [String]) -> Int {
        let id = nextMember
        nextMember += 1
        let group = groups[name] ?? Group()
        groups[name] = group
        let logs = wanted.map(topicLog)
        for log in logs where group.committed[log.name] == nil {
            // A new group starts at the earliest retained offset.
            group.committed[log.name] = log.partitions.map(\.base)
            log.readers.append(group)
            for index in log.partitions.indices { log.settle(partition: index) }
        }
        members[id] = Member(id: id, group: name, topics: logs)
        group.members.append(id)
        rebalance(group: name)
        return id
    }

    func leave(member id: Int) {
        guard let member = members.removeValue(forKey: id), let group = groups[member.group] else { return }
        group.members.removeAll { $0 == id }
        rebalance(group: member.group)
        wakeConsumers()
    }

    /// Round-robin assignment of each topic's partitions over the group's members; every
    /// member restarts from the committed offsets (uncommitted work is redelivered).
    private func rebalance(group name: String) {
        guard let group = groups[name] else { return }
        for (rank, id) in group.members.enumerated() {
            guard let member = members[id] else { continue }
            for (slot, log) in member.topics.enumerated() {
                member.assigned[slot] = (0..<partitions).filter { $0 % group.members.count == rank }
                member.positions[slot] = group.committed[log.name] ?? Array(repeating: 0, count: partitions)
            }
        }
    }

    /// Consecutive messages of one partition handed out by `take`: the stored arrays (shared,
    /// not copied) and where the run starts.
    struct Run: Sendable {
        let topic: String
        let partition: Int32
        let firstOffset: Int64
        let entries: [Entry]

        /// The offset after the run's last message: what committing the run commits.
        var nextOffset: Int64 { firstOffset + Int64(entries.count) }
    }

    /// Hands out up to `limit` messages to a member, as runs of consecutive messages of a
    /// partition. Decoding happens in the consumer, off the bus, so the stages decode in
    /// parallel.
    /// When none is available, the result says whether the member should return from its
    /// poll at once (`commitFirst`): a producer waits for room, and the member holds polled,
    /// uncommitted messages, whose commit may be the room it waits for (a runner commits
    /// after an empty poll; waiting for messages then would wait for a producer that waits
    /// for this member).
    func take(member id: Int, max limit: Int) -> (runs: [Run], commitFirst: Bool)? {
        guard let member = members[id], let group = groups[member.group] else { return nil }
        var out: [Run] = []
        var taken = 0
        member.rotation &+= 1
        // Start at a different topic and partition each time, so that a busy topic does not
        // starve the others (the cache reads questions and decisions from one member).
        let count = member.topics.count
        for topicStep in 0..<count where taken < limit {
            let slot = (topicStep + member.rotation) % count
            let log = member.topics[slot]
            let owned = member.assigned[slot]
            guard !owned.isEmpty, !member.paused.contains(log.name) else { continue }
            for step in 0..<owned.count where taken < limit {
                let index = owned[(step + member.rotation) % owned.count]
                let part = log.partitions[index]
                let position = max(member.positions[slot][index], part.base)
                let available = Int(min(part.end - position, Int64(limit - taken)))
                guard available > 0 else { continue }
                out.append(Run(topic: log.name, partition: Int32(index), firstOffset: position,
                               entries: part.entries(from: position, count: available)))
                member.positions[slot][index] = position + Int64(available)
                taken += available
            }
        }
        guard out.isEmpty && !producerWaiters.isEmpty else { return (out, false) }
        for (slot, log) in member.topics.enumerated() {
            let committed = group.committed[log.name]!
            for index in member.assigned[slot] where member.positions[slot][index] > committed[index] {
                return (out, true)
            }
        }
        return (out, false)
    }

    /// Stops (or resumes) handing out the member's messages of some topics.
    func pause(member id: Int, topics: Set<String>) {
        members[id]?.paused = topics
        wakeConsumers()
    }

    /// Commits next offsets (last handed out + 1) of partitions the member still owns; the
    /// others were reassigned since, and their messages go to the new owner again.
    func commit(member id: Int, offsets: [String: [Int: Int64]]) {
        guard let member = members[id], let group = groups[member.group] else { return }
        for (slot, log) in member.topics.enumerated() {
            guard let partitions = offsets[log.name] else { continue }
            let owned = member.assigned[slot]
            for (index, offset) in partitions where owned.contains(index) {
                if offset > group.committed[log.name]![index] { group.committed[log.name]![index] = offset }
                log.settle(partition: index)
            }
        }
        let waiting = producerWaiters
        producerWaiters = []
        for continuation in waiting { continuation.resume() }
    }

    /// Suspends until a message arrives anywhere or `timeout` passes.
    func waitForMessages(timeout: Duration) async {
        let id = nextWaiter
        nextWaiter += 1
        await withCheckedContinuation { continuation in
            waiters[id] = continuation
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.resumeWaiter(id)
            }
        }
    }

    private func resumeWaiter(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume()
    }

    private func wakeConsumers() {
        guard !waiters.isEmpty else { return }
        let waiting = waiters
        waiters = [:]
        for continuation in waiting.values { continuation.resume() }
    }
}

/// A consumer-group member of the in-memory bus. It remembers, per poll, the next offset of
/// each partition it read, so a checkpoint commits exactly what was polled before it.
final class InMemoryConsumer: MessageConsumer {
    let bus: InMemoryBus
    let member: Int
    /// The next offset of each partition read, per poll.
    private let polls = PollLedger<[String: [Int: Int64]]>()

    init(bus: InMemoryBus, member: Int) {
        self.bus = bus
        self.member = member
    }

    func poll<Decoded: Sendable>(maxMessages: Int, timeout: Duration,
                                 _ decode: @escaping @Sendable (RawMessage) -> Decoded) async throws -> [Decoded] {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            guard let (runs, commitFirst) = await bus.take(member: member, max: maxMessages) else {
                throw TransportError("consumer closed")
            }
            if commitFirst { return [] }
            if !runs.isEmpty {
                var next: [String: [Int: Int64]] = [:]
                var count = 0
                for run in runs {
                    next[run.topic, default: [:]][Int(run.partition)] = run.nextOffset
                    count += run.entries.count
                }
                polls.record(next)
                var decoded: [Decoded] = []
                decoded.reserveCapacity(count)
                for run in runs {
                    var offset = run.firstOffset
                    for entry in run.entries {
                        decoded.append(Self.decode(entry, topic: run.topic, partition: run.partition, offset: offset, decode))
                        offset += 1
                    }
                }
                return decoded
            }
            let left = deadline - clock.now
            if left <= .zero { return [] }
            await bus.waitForMessages(timeout: left)
        }
    }

    /// Decodes one stored record in place: the key's UTF-8 is read from the string's own
    /// storage (native and small strings have it), the value from its array.
    private static func decode<Decoded>(_ entry: InMemoryBus.Entry, topic: String, partition: Int32, offset: Int64,
                                        _ decode: (RawMessage) -> Decoded) -> Decoded {
        func withKey(_ key: UnsafeRawBufferPointer) -> Decoded {
            entry.value.withUnsafeBytes { value in
                decode(RawMessage(topic: topic, partition: partition, offset: offset, key: key, value: value))
            }
        }
        if let decoded = entry.key.utf8.withContiguousStorageIfAvailable({ withKey(UnsafeRawBufferPointer($0)) }) {
            return decoded
        }
        return Array(entry.key.utf8).withUnsafeBytes(withKey)
    }

    func checkpoint() -> CommitCheckpoint { polls.checkpoint() }

    func commit(upTo checkpoint: CommitCheckpoint) async throws {
        var offsets: [String: [Int: Int64]] = [:]
        for next in polls.take(upTo: checkpoint) {
            for (topic, partitions) in next {
                for (partition, offset) in partitions { offsets[topic, default: [:]][partition] = offset }
            }
        }
        await bus.commit(member: member, offsets: offsets)
    }

    func pause(_ topics: Set<String>) async {
        await bus.pause(member: member, topics: topics)
    }

    func close() async {
        await bus.leave(member: member)
    }
}

/// The producer of the in-memory bus: a send is acknowledged once appended.
final class InMemoryProducer: MessageProducer {
    let bus: InMemoryBus

    init(bus: InMemoryBus) {
        self.bus = bus
    }

    func enqueue(_ messages: [OutboundMessage]) async throws -> DeliveryReceipt {
        await bus.append(messages)
        return .acknowledged
    }

    func close() async {}
}

/// A transport failure, with what to fix.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension InMemoryBus {
    /// Questions admitted while fewer than this many messages are uncommitted on the bus.
    public static let pipelineCapacity = 8192

    /// The embedded pipeline's bus: only new questions wait for room (see the type's notes).
    public static func pipeline(topics: PipelineTopics, partitions: Int) -> InMemoryBus {
        InMemoryBus(partitions: partitions, capacity: pipelineCapacity, admissionTopics: [topics.name(.questionsIn)])
    }
}

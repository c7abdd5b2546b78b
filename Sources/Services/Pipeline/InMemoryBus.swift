/// The transport of the embedded mode: partitioned, bounded topic logs in memory with
/// consumer groups and committed offsets, so the services run unchanged in one process and
/// keep Kafka's at-least-once semantics (a member that leaves without committing hands its
/// uncommitted messages to the next owner).
///
/// Memory is bounded: a partition keeps at most `capacity` messages not yet committed by
/// every group reading it, and `send` waits (back-pressure) while a partition is full.
/// Messages committed by all groups are dropped; a topic nobody reads keeps only its last
/// `capacity` messages.
public actor InMemoryBus: MessageTransport {
    public let partitions: Int
    public let capacity: Int

    private struct Entry {
        let key: [UInt8]
        let value: [UInt8]
    }

    private final class Partition {
        var base: Int64 = 0  // offset of entries[head]
        var entries: [Entry] = []
        var head = 0
        var end: Int64 { base + Int64(entries.count - head) }

        func entry(at offset: Int64) -> Entry { entries[head + Int(offset - base)] }

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

    private final class Group {
        var committed: [String: [Int64]] = [:]  // topic -> per-partition committed offset
        var members: [Int] = []                 // member ids, in join order
    }

    private final class Member {
        let id: Int
        let group: String
        let topics: [String]
        var positions: [String: [Int64]] = [:]  // next offset to hand out, per assigned partition
        var polled: [String: [Int64]] = [:]     // offsets handed out (end), to commit
        var assigned: [String: [Int]] = [:]
        var rotation = 0                        // first partition served next, so none starves
        init(id: Int, group: String, topics: [String]) {
            self.id = id
            self.group = group
            self.topics = topics
        }
    }

    private var topics: [String: [Partition]] = [:]
    private var groups: [String: Group] = [:]
    private var members: [Int: Member] = [:]
    private var nextMember = 0
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0
    private var producerWaiters: [Int: CheckedContinuation<Void, Never>] = [:]

    public init(partitions: Int = 4, capacity: Int = 65_536) {
        precondition(partitions >= 1 && capacity >= 1)
        self.partitions = partitions
        self.capacity = capacity
    }

    // MARK: MessageTransport

    public func makeConsumer(group: String, topics: [String]) async throws -> any MessageConsumer {
        let id = join(group: group, topics: topics)
        return InMemoryConsumer(bus: self, member: id)
    }

    public func makeProducer() async throws -> any MessageProducer {
        InMemoryProducer(bus: self)
    }

    /// Messages in a topic not yet committed by every group that reads it (for tests and
    /// progress reports).
    public func backlog(topic: String) -> Int {
        guard let parts = topics[topic] else { return 0 }
        var total: Int64 = 0
        for (index, partition) in parts.enumerated() {
            total += partition.end - minimumCommitted(topic: topic, partition: index, default: partition.base)
        }
        return Int(total)
    }

    // MARK: producing

    func append(_ messages: [OutboundMessage]) async {
        for message in messages {
            let parts = partitionsOf(message.topic)
            let index = Self.partition(forKey: message.key, partitions: partitions)
            // Back-pressure: wait while the partition holds `capacity` uncommitted messages.
            while isFull(topic: message.topic, partition: index) {
                await withCheckedContinuation { continuation in
                    producerWaiters[nextWaiter] = continuation
                    nextWaiter += 1
                }
            }
            parts[index].entries.append(Entry(key: Array(message.key.utf8), value: message.value))
            if !hasReaders(message.topic) { parts[index].trim(below: parts[index].end - Int64(capacity)) }
        }
        wakeConsumers()
    }

    /// Kafka's default partitioner is murmur2; any stable hash keeps a trace on one partition.
    static func partition(forKey key: String, partitions: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return Int(hash % UInt64(partitions))
    }

    private func partitionsOf(_ topic: String) -> [Partition] {
        if let parts = topics[topic] { return parts }
        let parts = (0..<partitions).map { _ in Partition() }
        topics[topic] = parts
        return parts
    }

    private func hasReaders(_ topic: String) -> Bool {
        groups.values.contains { $0.committed[topic] != nil }
    }

    private func isFull(topic: String, partition: Int) -> Bool {
        guard hasReaders(topic) else { return false }
        let part = partitionsOf(topic)[partition]
        return part.end - minimumCommitted(topic: topic, partition: partition, default: part.base) >= Int64(capacity)
    }

    private func minimumCommitted(topic: String, partition: Int, default value: Int64) -> Int64 {
        var lowest: Int64?
        for group in groups.values {
            if let offsets = group.committed[topic] { lowest = min(lowest ?? offsets[partition], offsets[partition]) }
        }
        return lowest ?? value
    }

    // MARK: consuming

    private func join(group name: String, topics wanted: [String]) -> Int {
        let id = nextMember
        nextMember += 1
        let group = groups[name] ?? Group()
        groups[name] = group
        for topic in wanted where group.committed[topic] == nil {
            // A new group starts at the earliest retained offset.
            group.committed[topic] = partitionsOf(topic).map(\.base)
        }
        members[id] = Member(id: id, group: name, topics: wanted)
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
            member.assigned = [:]
            member.positions = [:]
            member.polled = [:]
            for topic in member.topics {
                let owned = (0..<partitions).filter { $0 % group.members.count == rank }
                member.assigned[topic] = owned
                member.positions[topic] = group.committed[topic] ?? Array(repeating: 0, count: partitions)
                member.polled[topic] = member.positions[topic]
            }
        }
    }

    /// A message handed out by `take`: the stored arrays (shared, not copied) and where it was.
    struct Taken: Sendable {
        let topic: String
        let partition: Int32
        let offset: Int64
        let key: [UInt8]
        let value: [UInt8]
    }

    /// Hands out up to `limit` messages to a member. Decoding happens in the consumer, off
    /// the bus, so the stages decode in parallel.
    func take(member id: Int, max limit: Int) -> [Taken]? {
        guard let member = members[id] else { return nil }
        var out: [Taken] = []
        member.rotation &+= 1
        // Start at a different topic and partition each time, so that a busy topic does not
        // starve the others (the cache reads questions and decisions from one member).
        let topics = member.topics
        for topicStep in 0..<topics.count {
            let topic = topics[(topicStep + member.rotation) % topics.count]
            guard let owned = member.assigned[topic], !owned.isEmpty else { continue }
            let parts = partitionsOf(topic)
            for step in 0..<owned.count {
                let index = owned[(step + member.rotation) % owned.count]
                let part = parts[index]
                var position = max(member.positions[topic]![index], part.base)
                while position < part.end && out.count < limit {
                    let entry = part.entry(at: position)
                    out.append(Taken(topic: topic, partition: Int32(index), offset: position, key: entry.key, value: entry.value))
                    position += 1
                }
                member.positions[topic]![index] = position
                member.polled[topic]![index] = position
                if out.count >= limit { break }
            }
            if out.count >= limit { break }
        }
        return out
    }

    /// Commits next offsets (last handed out + 1) of partitions the member still owns; the
    /// others were reassigned since, and their messages go to the new owner again.
    func commit(member id: Int, offsets: [String: [Int: Int64]]) {
        guard let member = members[id], let group = groups[member.group] else { return }
        for (topic, partitions) in offsets {
            guard let owned = member.assigned[topic] else { continue }
            for (index, offset) in partitions where owned.contains(index) {
                if offset > group.committed[topic]![index] { group.committed[topic]![index] = offset }
                let part = partitionsOf(topic)[index]
                part.trim(below: minimumCommitted(topic: topic, partition: index, default: part.base))
            }
        }
        let waiting = producerWaiters
        producerWaiters = [:]
        for continuation in waiting.values { continuation.resume() }
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
    private struct Polls {
        var count = 0
        var pending: [(poll: Int, offsets: [String: [Int: Int64]])] = []
    }
    private let polls = LockedValue(Polls())

    init(bus: InMemoryBus, member: Int) {
        self.bus = bus
        self.member = member
    }

    func poll<Decoded: Sendable>(maxMessages: Int, timeout: Duration,
                                 _ decode: @escaping @Sendable (RawMessage) -> Decoded) async throws -> [Decoded] {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            guard let batch = await bus.take(member: member, max: maxMessages) else {
                throw TransportError("consumer closed")
            }
            if !batch.isEmpty {
                var next: [String: [Int: Int64]] = [:]
                for taken in batch { next[taken.topic, default: [:]][Int(taken.partition)] = taken.offset + 1 }
                polls.withLock { state in
                    state.count += 1
                    state.pending.append((state.count, next))
                }
                return batch.map { taken in
                    taken.key.withUnsafeBytes { key in
                        taken.value.withUnsafeBytes { value in
                            decode(RawMessage(topic: taken.topic, partition: taken.partition, offset: taken.offset,
                                              key: key, value: value))
                        }
                    }
                }
            }
            let left = deadline - clock.now
            if left <= .zero { return [] }
            await bus.waitForMessages(timeout: left)
        }
    }

    func checkpoint() -> CommitCheckpoint {
        CommitCheckpoint(polls: polls.withLock { $0.count })
    }

    func commit(upTo checkpoint: CommitCheckpoint) async throws {
        let offsets = polls.withLock { state -> [String: [Int: Int64]] in
            var merged: [String: [Int: Int64]] = [:]
            while let first = state.pending.first, first.poll <= checkpoint.polls {
                for (topic, partitions) in first.offsets {
                    for (partition, offset) in partitions { merged[topic, default: [:]][partition] = offset }
                }
                state.pending.removeFirst()
            }
            return merged
        }
        await bus.commit(member: member, offsets: offsets)
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

import Testing

import Stages
@testable import Transport
@testable import VeredictoCore

@Suite struct InMemoryBusTests {
    static func messages(_ count: Int, topic: String = "t", keys: Int = 50) -> [OutboundMessage] {
        (0..<count).map { OutboundMessage(topic: topic, key: "k\($0 % keys)", value: Array("m\($0)".utf8)) }
    }

    struct Received: Sendable, Hashable {
        let key: String
        let value: String
        let partition: Int32
    }

    static func drain(_ consumer: any MessageConsumer, expecting count: Int) async throws -> [Received] {
        var out: [Received] = []
        var idle = 0
        while out.count < count && idle < 5 {
            let batch = try await consumer.poll(maxMessages: 333, timeout: .milliseconds(20)) { raw in
                Received(key: String(decoding: raw.key, as: UTF8.self), value: String(decoding: raw.value, as: UTF8.self),
                         partition: raw.partition)
            }
            idle = batch.isEmpty ? idle + 1 : 0
            out += batch
        }
        return out
    }

    @Test func everyMessageOnceAndKeysStayOnOnePartition() async throws {
        let bus = InMemoryBus(partitions: 4, capacity: 100_000)
        let consumer = try await bus.makeConsumer(group: "g", topics: ["t"])
        try await bus.makeProducer().send(Self.messages(10_000))
        let received = try await Self.drain(consumer, expecting: 10_000)
        #expect(received.count == 10_000)
        #expect(Set(received.map(\.value)).count == 10_000)
        var partitionOfKey: [String: Int32] = [:]
        for message in received {
            if let seen = partitionOfKey[message.key] { #expect(seen == message.partition) }
            partitionOfKey[message.key] = message.partition
        }
        #expect(Set(partitionOfKey.values).count > 1)
    }

    @Test func uncommittedMessagesAreRedeliveredToTheNextMember() async throws {
        let bus = InMemoryBus(partitions: 2, capacity: 1000)
        let first = try await bus.makeConsumer(group: "g", topics: ["t"])
        try await bus.makeProducer().send(Self.messages(100))
        #expect(try await Self.drain(first, expecting: 100).count == 100)
        await first.close()  // no commit
        let second = try await bus.makeConsumer(group: "g", topics: ["t"])
        #expect(try await Self.drain(second, expecting: 100).count == 100)
        try await second.commit()
        await second.close()
        let third = try await bus.makeConsumer(group: "g", topics: ["t"])
        #expect(try await Self.drain(third, expecting: 1).isEmpty)
        #expect(await bus.backlog(topic: "t") == 0)
    }

    @Test func groupsReadIndependently() async throws {
        let bus = InMemoryBus()
        let a = try await bus.makeConsumer(group: "a", topics: ["t"])
        let b = try await bus.makeConsumer(group: "b", topics: ["t"])
        try await bus.makeProducer().send(Self.messages(500))
        #expect(try await Self.drain(a, expecting: 500).count == 500)
        #expect(try await Self.drain(b, expecting: 500).count == 500)
    }

    @Test func membersSharePartitionsAndRebalanceOnLeave() async throws {
        let bus = InMemoryBus(partitions: 4, capacity: 10_000)
        let a = try await bus.makeConsumer(group: "g", topics: ["t"])
        let b = try await bus.makeConsumer(group: "g", topics: ["t"])
        try await bus.makeProducer().send(Self.messages(1000))
        let fromA = try await Self.drain(a, expecting: 1000)
        let fromB = try await Self.drain(b, expecting: 1000)
        #expect(!fromA.isEmpty && !fromB.isEmpty)
        #expect(Set(fromA.map(\.partition)).isDisjoint(with: Set(fromB.map(\.partition))))
        #expect(fromA.count + fromB.count == 1000)
        try await a.commit()
        await b.close()  // b's share was not committed: a gets it again
        let again = try await Self.drain(a, expecting: fromB.count)
        #expect(Set(again.map(\.value)) == Set(fromB.map(\.value)))
    }

    @Test func producersWaitWhileAPartitionIsFull() async throws {
        let bus = InMemoryBus(partitions: 1, capacity: 10)
        let consumer = try await bus.makeConsumer(group: "g", topics: ["t"])
        let producer = try await bus.makeProducer()
        let sending = Task { try await producer.send(Self.messages(100)) }
        var received = 0
        while received < 100 {
            let batch = try await consumer.poll(maxMessages: 7, timeout: .milliseconds(50)) { _ in 1 }
            // Never more than `capacity` uncommitted messages in the partition.
            #expect(await bus.backlog(topic: "t") <= 10)
            received += batch.count
            try await consumer.commit()
        }
        try await sending.value
        #expect(received == 100)
    }
}

/// A toy stage: upper-cases text messages; "fail" makes the first attempt of a batch throw.
struct UpperStage: PipelineStage {
    let name = "upper"
    let inputTopics = ["in"]
    let failures: FailureBudget

    static func decode(_ raw: RawMessage) -> Inbound<String> {
        let text = String(decoding: raw.value, as: UTF8.self)
        if text.hasPrefix("{") { return .invalid(InvalidMessage(raw, reason: "braces are not allowed")) }
        return .message(text)
    }

    func handle(_ inputs: [String]) async throws -> [OutboundMessage] {
        if await failures.spend() { throw TransportError("injected failure") }
        return inputs.map { OutboundMessage(topic: "out", key: $0, value: Array($0.uppercased().utf8)) }
    }
}

actor FailureBudget {
    var left: Int
    init(_ left: Int) { self.left = left }
    func spend() -> Bool {
        guard left > 0 else { return false }
        left -= 1
        return true
    }
}

@Suite struct ServiceRunnerTests {
    @Test func deadLettersInvalidMessagesAndRetriesFailedBatches() async throws {
        let bus = InMemoryBus(partitions: 1)
        let producer = try await bus.makeProducer()
        try await producer.send(["a", "{bad", "b"].map { OutboundMessage(topic: "in", key: $0, value: Array($0.utf8)) })
        let out = try await bus.makeConsumer(group: "check", topics: ["out", "dead"])
        let runner = ServiceRunner(stage: UpperStage(failures: FailureBudget(2)),
                                   consumer: try await bus.makeConsumer(group: "upper", topics: ["in"]),
                                   producer: producer, deadLetterTopic: "dead", retryDelay: .milliseconds(1))
        #expect(try await runner.runOnce() == 3)
        let counters = await runner.counters
        #expect(counters.retriedBatches == 2)
        #expect(counters.deadLetters == 1)
        let results = try await InMemoryBusTests.drain(out, expecting: 3)
        #expect(Set(results.map(\.value)).isSuperset(of: ["A", "B"]))
        let dead = try #require(results.first { $0.value.hasPrefix("{\"source_topic\"") })
        #expect(dead.value.contains("\"reason\":\"braces are not allowed\""))
        #expect(dead.value.contains("\"payload\":\"{bad\""))
        #expect(await bus.backlog(topic: "in") == 0)
    }

    @Test func deadLetterIsADeadLetterMessageKeyedLikeItsRecord() async throws {
        let bus = InMemoryBus(partitions: 1)
        let producer = try await bus.makeProducer()
        try await producer.send([OutboundMessage(topic: "in", key: "trace-9", value: Array("{bad\u{FF}".utf8))])
        let out = try await bus.makeConsumer(group: "check", topics: ["dead"])
        let runner = ServiceRunner(stage: UpperStage(failures: FailureBudget(0)),
                                   consumer: try await bus.makeConsumer(group: "upper", topics: ["in"]),
                                   producer: producer, deadLetterTopic: "dead")
        let before = Timestamp.now()
        #expect(try await runner.runOnce() == 1)
        let received = try #require(try await InMemoryBusTests.drain(out, expecting: 1).first)
        #expect(received.key == "trace-9")
        let letter = try DeadLetter.decode(Array(received.value.utf8))
        #expect(letter.sourceTopic == "in" && letter.partition == 0 && letter.offset == 0)
        #expect(letter.reason == "braces are not allowed" && letter.payload == "{bad\u{FF}")
        #expect(letter.producedAt >= before && letter.producedAt.milliseconds(since: before) < 5_000)

        // A record without a key is keyed by its place.
        let invalid = [UInt8]("{".utf8).withUnsafeBytes { value in
            InvalidMessage(RawMessage(topic: "in", partition: 2, offset: 41, key: UnsafeRawBufferPointer(start: nil, count: 0),
                                      value: value), reason: "r")
        }
        #expect(DeadLetters.message(for: invalid, topic: "dead").key == "in/2/41")
    }
}

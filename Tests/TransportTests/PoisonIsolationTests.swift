import Testing

import Stages
@testable import Transport
@testable import VeredictoCore

/// A permanent error (`ClassifiedError`), raised by the test doubles below.
struct PermanentTestError: ClassifiedError, CustomStringConvertible {
    let description: String
    var isPermanent: Bool { true }
}

/// Echoes each input to "out", its value repeated `growth` times; a batch holding "poison"
/// fails for good, as a store fails on a document the database rejects.
struct PoisonSensitiveStage: PipelineStage {
    let name = "echo"
    let inputTopics = ["in"]
    var growth = 1
    let handled = LockedValue<[String]>([])

    static func decode(_ raw: RawMessage) -> Inbound<String> { .message(String(decoding: raw.value, as: UTF8.self)) }

    static func payload(of input: String) -> [UInt8] { Array(input.utf8) }

    func handle(_ inputs: [String]) async throws -> [OutboundMessage] {
        if inputs.contains("poison") { throw PermanentTestError(description: "document rejected") }
        handled.withLock { $0 += inputs }
        return inputs.map { OutboundMessage(topic: "out", key: $0, value: Array(String(repeating: $0, count: growth).utf8)) }
    }
}

/// A producer that refuses for good any batch holding a message whose value starts with
/// "refused", as librdkafka refuses a message over its `message.max.bytes`.
final class RefusingProducer: MessageProducer {
    let inner: any MessageProducer
    init(_ inner: any MessageProducer) { self.inner = inner }

    func enqueue(_ messages: [OutboundMessage]) async throws -> DeliveryReceipt {
        if messages.contains(where: { $0.value.starts(with: Array("refused".utf8)) }) {
            throw PermanentTestError(description: "message too large")
        }
        return try await inner.enqueue(messages)
    }

    func close() async { await inner.close() }
}

/// A consumer whose first `failures` commits that do not wait throw, as a commit refused
/// because the group is rebalancing ("partitions revoked").
final class FailingCommitConsumer: MessageConsumer {
    let inner: any MessageConsumer
    let failures: LockedValue<Int>
    init(_ inner: any MessageConsumer, failures: Int) {
        self.inner = inner
        self.failures = LockedValue(failures)
    }

    func poll<Decoded: Sendable>(maxMessages: Int, timeout: Duration,
                                 _ decode: @escaping @Sendable (RawMessage) -> Decoded) async throws -> [Decoded] {
        try await inner.poll(maxMessages: maxMessages, timeout: timeout, decode)
    }
    func checkpoint() -> CommitCheckpoint { inner.checkpoint() }
    func commit(upTo checkpoint: CommitCheckpoint) async throws { try await inner.commit(upTo: checkpoint) }
    func commitWithoutWaiting(upTo checkpoint: CommitCheckpoint) async throws {
        let fail = failures.withLock { left in
            guard left > 0 else { return false }
            left -= 1
            return true
        }
        if fail { throw TransportError("partitions revoked (injected)") }
        try await inner.commitWithoutWaiting(upTo: checkpoint)
    }
    func wakeUp() { inner.wakeUp() }
    func close() async { await inner.close() }
}

/// Waits for `body`, failing the test rather than hanging when it does not finish in `limit`
/// (a runner retrying forever).
func finishing<Result: Sendable>(within limit: Duration = .seconds(30),
                                 _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else {
            throw TransportError("did not finish within \(limit): retried forever?")
        }
        return result
    }
}

@Suite struct PoisonIsolationTests {
    static func send(_ values: [String], to bus: InMemoryBus) async throws {
        try await bus.makeProducer().send(values.map { OutboundMessage(topic: "in", key: $0, value: Array($0.utf8)) })
    }

    static func deadLetters(_ received: [InMemoryBusTests.Received]) throws -> [DeadLetter] {
        try received.filter { $0.value.hasPrefix("{\"source_topic\"") }.map { try DeadLetter.decode(Array($0.value.utf8)) }
    }

    @Test func aRecordOverTheSizeLimitIsADeadLetterWithItsSizeAndFirstBytes() async throws {
        let bus = InMemoryBus(partitions: 1)
        let big = String(repeating: "x", count: 100_000)
        try await Self.send(["a", big, "b"], to: bus)
        let out = try await bus.makeConsumer(group: "check", topics: ["out", "dead"])
        let stage = PoisonSensitiveStage()
        let runner = ServiceRunner(stage: stage, consumer: try await bus.makeConsumer(group: "echo", topics: ["in"]),
                                   producer: try await bus.makeProducer(), deadLetterTopic: "dead", maxMessageBytes: 1_000)
        #expect(try await runner.runOnce() == 3)
        #expect(stage.handled.withLock { $0 } == ["a", "b"])
        let letters = try Self.deadLetters(try await InMemoryBusTests.drain(out, expecting: 3))
        let letter = try #require(letters.first)
        #expect(letters.count == 1)
        #expect(letter.sourceTopic == "in" && letter.offset == 1)
        #expect(letter.reason == "record of 100000 bytes is larger than MAX_MESSAGE_BYTES (1000)")
        #expect(letter.payloadBytes == 100_000)
        #expect(letter.payload == String(repeating: "x", count: InvalidMessage.payloadPrefixLimit))
        #expect(await runner.counters.deadLetters == 1)
    }

    @Test func anOutputOverTheSizeLimitIsADeadLetterInstead() async throws {
        let bus = InMemoryBus(partitions: 1)
        let grows = String(repeating: "y", count: 600)
        try await Self.send(["a", grows, "b"], to: bus)
        let out = try await bus.makeConsumer(group: "check", topics: ["out", "dead"])
        let runner = ServiceRunner(stage: PoisonSensitiveStage(growth: 2),
                                   consumer: try await bus.makeConsumer(group: "echo", topics: ["in"]),
                                   producer: try await bus.makeProducer(), deadLetterTopic: "dead", maxMessageBytes: 1_000)
        #expect(try await runner.runOnce() == 3)
        let received = try await InMemoryBusTests.drain(out, expecting: 3)
        #expect(Set(received.map(\.value)).isSuperset(of: ["aa", "bb"]))
        let letter = try #require(try Self.deadLetters(received).first)
        #expect(letter.sourceTopic == "out" && letter.partition == -1 && letter.offset == -1)
        #expect(letter.reason == "message of 1200 bytes for out is larger than MAX_MESSAGE_BYTES (1000)")
        #expect(letter.payloadBytes == nil && letter.payload.count == 1_200)
    }

    @Test func aMessageTheProducerRefusesForGoodIsIsolatedNotRetriedForever() async throws {
        let bus = InMemoryBus(partitions: 1)
        try await Self.send(["a", "b", "refused", "c", "d"], to: bus)
        let out = try await bus.makeConsumer(group: "check", topics: ["out", "dead"])
        let runner = ServiceRunner(stage: PoisonSensitiveStage(),
                                   consumer: try await bus.makeConsumer(group: "echo", topics: ["in"]),
                                   producer: RefusingProducer(try await bus.makeProducer()), deadLetterTopic: "dead",
                                   retryDelay: .milliseconds(1))
        #expect(try await finishing { try await runner.runOnce() } == 5)
        let received = try await InMemoryBusTests.drain(out, expecting: 5)
        #expect(Set(received.map(\.value)).isSuperset(of: ["a", "b", "c", "d"]))
        let letter = try #require(try Self.deadLetters(received).first)
        #expect(letter.sourceTopic == "out" && letter.payload == "refused")
        #expect(letter.reason.hasPrefix("refused by the transport: message too large"))
    }

    @Test func aBatchThatFailsForGoodIsHalvedUntilTheCauseIsFound() async throws {
        let bus = InMemoryBus(partitions: 1)
        let values = (0..<13).map { $0 == 9 ? "poison" : "v\($0)" }
        try await Self.send(values, to: bus)
        let out = try await bus.makeConsumer(group: "check", topics: ["out", "dead"])
        let stage = PoisonSensitiveStage()
        let runner = ServiceRunner(stage: stage, consumer: try await bus.makeConsumer(group: "echo", topics: ["in"]),
                                   producer: try await bus.makeProducer(), deadLetterTopic: "dead", retryDelay: .milliseconds(1))
        #expect(try await finishing { try await runner.runOnce() } == 13)
        // Every other input handled, in order.
        #expect(stage.handled.withLock { $0 } == values.filter { $0 != "poison" })
        let received = try await InMemoryBusTests.drain(out, expecting: 13)
        let letter = try #require(try Self.deadLetters(received).first)
        #expect(letter.sourceTopic == "in" && letter.partition == 0 && letter.offset == 9)
        #expect(letter.reason == "rejected: document rejected" && letter.payload == "poison")
        #expect(await bus.backlog(topic: "in") == 0)
    }

    /// A poll followed by a settle whose commit throws (partitions revoked) must still handle
    /// the batch it polled: the next checkpoint covers that poll, so dropping the batch would
    /// commit past messages never handled.
    @Test func aFailedCommitAfterAPollLosesNoMessage() async throws {
        let bus = InMemoryBus(partitions: 1)
        let values = (0..<60).map { "m\($0)" }
        try await Self.send(values, to: bus)
        let stage = SlowRecordingStage()
        let consumer = FailingCommitConsumer(try await bus.makeConsumer(group: "slow", topics: ["in"]), failures: 3)
        let runner = ServiceRunner(stage: stage, consumer: consumer, producer: try await bus.makeProducer(), batchSize: 5,
                                   deadLetterTopic: "dead", retryDelay: .milliseconds(1))
        let running = Task { try await runner.run() }
        // Bounded: without the fix, the batches polled before the failed commits never come back.
        for _ in 0..<1_000 where stage.handled.withLock({ $0.count }) < values.count {
            try await Task.sleep(for: .milliseconds(10))
        }
        running.cancel()
        _ = try? await running.value
        #expect(consumer.failures.withLock { $0 } == 0)
        #expect(stage.handled.withLock { $0 } == values)
    }
}

/// Records what it handles; each batch takes longer than the runner's commit interval, so
/// that every step commits.
struct SlowRecordingStage: PipelineStage {
    let name = "slow"
    let inputTopics = ["in"]
    let handled = LockedValue<[String]>([])

    static func decode(_ raw: RawMessage) -> Inbound<String> { .message(String(decoding: raw.value, as: UTF8.self)) }

    func handle(_ inputs: [String]) async throws -> [OutboundMessage] {
        try await Task.sleep(for: .milliseconds(25))
        handled.withLock { $0 += inputs }
        return inputs.map { OutboundMessage(topic: "out", key: $0, value: Array($0.utf8)) }
    }
}

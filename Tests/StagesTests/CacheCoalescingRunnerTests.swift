import Testing

@testable import Cache
@testable import Stages
@testable import Transport
@testable import VeredictoCore

/// The cache service's waiting askings through the runner and the in-memory bus: their batch
/// stays uncommitted until they are answered, so a crash redelivers them.
@Suite(.timeLimit(.minutes(5))) struct CacheCoalescingRunnerTests {
    static let topics = PipelineTopics()

    /// A cache instance, and its consumer (closing it is a crash: the group member leaves with
    /// only what the runner committed).
    static func runner(_ bus: InMemoryBus, clock: ManualClock? = nil, chainTimeout: Int = 300)
        async throws -> (ServiceRunner<CacheStage>, any MessageConsumer, CacheStage)
    {
        var configuration = CacheConfiguration(policy: .lru, capacity: 100, ttlSeconds: 0)
        configuration.failureTTLSeconds = 0
        configuration.chainTimeoutSeconds = chainTimeout
        if let clock { configuration.clock = clock.cacheClock }
        let stage = CacheStage(topics: topics, configuration: configuration, storage: nil)
        let consumer = try await bus.makeConsumer(group: "cache", topics: stage.inputTopics)
        let runner = ServiceRunner(stage: stage, consumer: consumer, producer: try await bus.makeProducer(),
                                   pollTimeout: .milliseconds(10), deadLetterTopic: topics.name(.deadLetters))
        return (runner, consumer, stage)
    }

    /// Runs the runner's steps until `done` or 200 steps; returns the messages consumed.
    static func step(_ runner: ServiceRunner<CacheStage>, until done: @Sendable () async -> Bool) async throws -> Int {
        var consumed = 0
        for _ in 0..<200 where !(await done()) { consumed += try await runner.runOnce() }
        return consumed
    }

    static func question(_ trace: String) -> OutboundMessage {
        QuestionMessage(traceID: trace, questionID: "q1", title: "T", content: "", bestAnswer: "B")
            .outbound(topics, key: "q1")
    }

    @Test func waitingAskingsAreRedeliveredAfterACrashAndCommittedOnceAnswered() async throws {
        let bus = InMemoryBus(partitions: 2, capacity: 10_000)
        let producer = try await bus.makeProducer()
        try await producer.send([Self.question("t-a"), Self.question("t-b")])

        // The first instance starts one chain; the second asking waits; it "crashes" (leaves
        // the group without committing more than it may).
        let (first, firstConsumer, stage) = try await Self.runner(bus)
        #expect(try await Self.step(first) { await stage.counts.waiting == 1 } == 2)
        let started = await stage.counts.chainsStarted
        #expect(started == 1)
        _ = try await first.runOnce()
        let stillWaiting = await stage.counts.waiting
        #expect(stillWaiting == 1)
        await firstConsumer.close()

        // The next owner gets both askings again: nothing waiting was committed.
        let (second, secondConsumer, secondStage) = try await Self.runner(bus)
        #expect(try await Self.step(second) { await secondStage.counts.waiting == 1 } == 2)

        // The chain's decision answers the waiter, and then the askings are committed.
        let decision = ValidatedResponse(
            messageID: "v-t-a", traceID: "t-a", questionID: "q1", title: "T", content: "", llmAnswer: "An answer",
            bestAnswer: "B", score: 0.9, accepted: true, source: .score, attempts: 1, status: .accepted,
            createdAt: .now(), llmCalls: 1)
        try await producer.send([decision.outbound(Self.topics, key: "q1")])
        _ = try await Self.step(second) { await secondStage.counts.coalesced == 1 }
        let coalesced = await secondStage.counts.coalesced
        #expect(coalesced == 1)
        _ = try await second.runOnce()
        await secondConsumer.close()

        let (third, thirdConsumer, thirdStage) = try await Self.runner(bus)
        // Only what followed the commit (nothing on questions_in) comes again.
        _ = try await Self.step(third) { false }
        let counts = await thirdStage.counts
        #expect(counts.chainsStarted == 0 && counts.waiting == 0)
        await thirdConsumer.close()
    }

    @Test func aStopHandsTheWaitingAskingsToTheNextOwnerAndCommitsTheRest() async throws {
        let bus = InMemoryBus(partitions: 2, capacity: 10_000)
        let producer = try await bus.makeProducer()
        try await producer.send([Self.question("t-a"), Self.question("t-b")])

        // The first instance starts one chain and sets the second asking aside; then it is
        // stopped (as by SIGTERM) before the chain is decided.
        let (first, _, stage) = try await Self.runner(bus)
        let running = Task { try await first.run() }
        for _ in 0..<2000 where await stage.counts.waiting < 1 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(await stage.counts.waiting == 1)
        running.cancel()
        try await running.value
        #expect(await stage.counts.waiting == 0)

        // The next owner reads only the handed-off asking: the two originals were committed.
        let (second, secondConsumer, secondStage) = try await Self.runner(bus)
        let consumed = try await Self.step(second) { await secondStage.counts.chainsStarted == 1 }
        #expect(consumed == 1)
        // Nothing more comes on questions_in.
        #expect(try await second.runOnce() == 0)
        await secondConsumer.close()
    }

    /// The messages on `topic` so far, read by a group of their own.
    static func published(on topic: Topic, _ bus: InMemoryBus) async throws -> [String] {
        let consumer = try await bus.makeConsumer(group: "probe-\(topic)", topics: [topics.name(topic)])
        var keys: [String] = []
        while true {
            let batch = try await consumer.poll(maxMessages: 100, timeout: .milliseconds(10)) { raw in
                String(decoding: raw.key, as: UTF8.self)
            }
            if batch.isEmpty { break }
            keys += batch
        }
        await consumer.close()
        return keys
    }

    @Test func aChainWhoseDecisionNeverComesTimesOutWithoutInputAndItsAskingsCommit() async throws {
        let bus = InMemoryBus(partitions: 2, capacity: 10_000)
        let producer = try await bus.makeProducer()
        try await producer.send([Self.question("t-a"), Self.question("t-b")])
        let clock = ManualClock()

        // One chain, one asking set aside; then no input at all (its decision is lost).
        let (first, firstConsumer, stage) = try await Self.runner(bus, clock: clock, chainTimeout: 10)
        #expect(try await Self.step(first) { await stage.counts.waiting == 1 } == 2)
        for _ in 0..<3 { #expect(try await first.runOnce() == 0) }
        #expect(await stage.counts.waiting == 1)
        #expect(try await Self.published(on: .llmRequests, bus) == ["q1"])

        // Past CHAIN_TIMEOUT, an empty poll hands the waiter on: it starts a new chain, and the
        // batch it held is committed.
        clock.advance(by: 11_000)
        #expect(try await first.runOnce() == 0)
        let counts = await stage.counts
        #expect(counts.chainTimeouts == 1 && counts.chainsStarted == 2 && counts.waiting == 0)
        #expect(try await Self.published(on: .llmRequests, bus) == ["q1", "q1"])
        await firstConsumer.close()

        // The next owner reads nothing on questions_in: both askings were committed.
        let (second, secondConsumer, secondStage) = try await Self.runner(bus)
        #expect(try await Self.step(second) { false } == 0)
        #expect(await secondStage.counts.chainsStarted == 0)
        await secondConsumer.close()
    }
}

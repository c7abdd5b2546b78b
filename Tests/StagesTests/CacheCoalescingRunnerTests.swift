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
    static func runner(_ bus: InMemoryBus) async throws -> (ServiceRunner<CacheStage>, any MessageConsumer, CacheStage) {
        var configuration = CacheConfiguration(policy: .lru, capacity: 100, ttlSeconds: 0)
        configuration.failureTTLSeconds = 0
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
}

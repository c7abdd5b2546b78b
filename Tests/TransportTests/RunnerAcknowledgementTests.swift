import Testing

import Stages
@testable import Transport
import VeredictoCore

/// Rule 1 of docs/delivery.md, commit only after acknowledgement, with a producer whose
/// acknowledgements the test gives, fails or withholds, over the in-memory bus's consumer.
@Suite struct RunnerAcknowledgementTests {
    static let inputs = ["a", "b", "c"]

    struct Setup {
        let bus: InMemoryBus
        let consumer: CommitRecorder
        let producer: HeldProducer
        let runner: ServiceRunner<UpperStage>
    }

    /// A grace far longer than any test: under the whole suite the test's own task can wait many
    /// seconds for a thread, and the runner must still be waiting when it acknowledges.
    static let longGrace: Duration = .seconds(300)

    static func setUp(stopGrace: Duration = longGrace, pauseAfterPoll: Duration = .zero) async throws -> Setup {
        let bus = InMemoryBus(partitions: 1)
        try await bus.makeProducer().send(inputs.map { OutboundMessage(topic: "in", key: $0, value: Array($0.utf8)) })
        let consumer = CommitRecorder(try await bus.makeConsumer(group: "upper", topics: ["in"]))
        let producer = HeldProducer()
        let runner = ServiceRunner(stage: UpperStage(failures: FailureBudget(0)), consumer: consumer, producer: producer,
                                   pollTimeout: .milliseconds(5), deadLetterTopic: "dead", retryDelay: .milliseconds(1),
                                   stopGrace: stopGrace, pauseAfterPoll: pauseAfterPoll)
        return Setup(bus: bus, consumer: consumer, producer: producer, runner: runner)
    }

    /// Waits until `condition` holds; false if it still does not after `limit` (a bound
    /// against hanging, not a measurement: the whole suite shares two cores, and fresh-clone
    /// runs saw every async test of the process held for over a minute at once).
    static func until(_ limit: Duration = .seconds(240), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return await condition()
    }

    /// What a new member of the runner's group reads.
    static func nextMemberReads(_ bus: InMemoryBus) async throws -> [String] {
        let next = try await bus.makeConsumer(group: "upper", topics: ["in"])
        defer { Task { await next.close() } }
        return try await next.poll(maxMessages: 100, timeout: .zero) { String(decoding: $0.value, as: UTF8.self) }
    }

    @Test func nothingIsCommittedBeforeTheAcknowledgement() async throws {
        let setup = try await Self.setUp()
        let running = Task { try await setup.runner.run() }
        defer { running.cancel() }
        try #require(await Self.until { setup.producer.deliveries.count == 1 })
        // The runner goes on polling (and settling what is acknowledged) meanwhile.
        let pollsAtEnqueue = setup.consumer.polls
        #expect(await Self.until { setup.consumer.polls >= pollsAtEnqueue + 20 })
        #expect(setup.consumer.commits == 0)
        #expect(await setup.bus.backlog(topic: "in") == 3)
        #expect(await setup.runner.counters.consumed == 0)
        #expect(setup.producer.deliveries.count == 1)

        setup.producer.deliveries[0].acknowledgement.acknowledge()
        #expect(await Self.until { await setup.bus.backlog(topic: "in") == 0 })
        #expect(setup.consumer.commits >= 1)
        #expect(await setup.runner.counters.consumed == 3)
        #expect(await setup.runner.counters.polled == 3)
        running.cancel()
        try await running.value
        #expect(try await Self.nextMemberReads(setup.bus).isEmpty)
    }

    @Test func aFailedDeliveryIsSentAgainAndOnlyItsAcknowledgementCommits() async throws {
        let setup = try await Self.setUp()
        let running = Task { try await setup.runner.run() }
        defer { running.cancel() }
        try #require(await Self.until { setup.producer.deliveries.count == 1 })
        setup.producer.deliveries[0].acknowledgement.fail()
        try #require(await Self.until { setup.producer.deliveries.count == 2 })
        let deliveries = setup.producer.deliveries
        try #require(deliveries.count == 2)
        #expect(deliveries[1].values == deliveries[0].values)
        #expect(deliveries[1].values == ["A", "B", "C"])
        #expect(setup.consumer.commits == 0)
        #expect(await setup.bus.backlog(topic: "in") == 3)
        #expect(await setup.runner.counters.retriedBatches == 1)

        deliveries[1].acknowledgement.acknowledge()
        #expect(await Self.until { await setup.bus.backlog(topic: "in") == 0 })
        #expect(setup.producer.deliveries.count == 2)
        #expect(await setup.runner.counters.consumed == 3)
        running.cancel()
        try await running.value
    }

    @Test func aStopWaitsForTheAcknowledgementAndCommits() async throws {
        let setup = try await Self.setUp()
        let running = Task { try await setup.runner.run() }
        defer { running.cancel() }
        try #require(await Self.until { setup.producer.deliveries.count == 1 })
        running.cancel()
        // Stopping, the runner waits for the acknowledgement it lacks (the consumer stays open).
        let pollsAtStop = setup.consumer.polls
        #expect(await Self.until { setup.producer.deliveries[0].acknowledgement.waiters > 0 })
        #expect(!setup.consumer.closed)
        #expect(setup.consumer.polls <= pollsAtStop + 1)
        setup.producer.deliveries[0].acknowledgement.acknowledge()
        try await running.value
        #expect(setup.consumer.closed)
        #expect(setup.consumer.commits == 1)
        #expect(await setup.bus.backlog(topic: "in") == 0)
        #expect(try await Self.nextMemberReads(setup.bus).isEmpty)
    }

    @Test func aBatchUnacknowledgedWhenTheStopGivesUpGoesToTheNextMember() async throws {
        let setup = try await Self.setUp(stopGrace: .milliseconds(50))
        let running = Task { try await setup.runner.run() }
        defer { running.cancel() }
        try #require(await Self.until { setup.producer.deliveries.count == 1 })
        running.cancel()
        try await running.value  // returns once the grace is over, the acknowledgement never given
        #expect(setup.consumer.closed)
        #expect(setup.consumer.commits == 0)
        #expect(try await Self.nextMemberReads(setup.bus) == Self.inputs)
    }

    /// FAULT_PAUSE_AFTER_POLL_MS: the batch is polled and held in hand, not handled, for the
    /// pause; a stop then (its grace over) leaves all of it to the next member.
    @Test func aPauseAfterThePollKeepsTheBatchInHandAndUncommitted() async throws {
        let setup = try await Self.setUp(stopGrace: .milliseconds(50), pauseAfterPoll: .seconds(300))
        let running = Task { try await setup.runner.run() }
        defer { running.cancel() }
        try #require(await Self.until { await setup.runner.counters.polled == 3 })
        #expect(setup.producer.deliveries.isEmpty)
        #expect(await setup.runner.counters.consumed == 0)
        running.cancel()
        try await running.value
        #expect(setup.consumer.commits == 0)
        #expect(try await Self.nextMemberReads(setup.bus) == Self.inputs)
    }

    /// A running `AsideStage` runner whose first batch set "wait" aside (its empty delivery
    /// acknowledged, its commit held) and whose second batch answered it: that second delivery,
    /// `deliveries[1]`, is recorded and neither acknowledged nor failed.
    struct AnsweredAside {
        let bus: InMemoryBus
        let consumer: CommitRecorder
        let producer: HeldProducer
        let runner: ServiceRunner<AsideStage>
        let running: Task<Void, any Error>
    }

    static func answeredAside() async throws -> AnsweredAside {
        let bus = InMemoryBus(partitions: 1)
        let sender = try await bus.makeProducer()
        try await sender.send([OutboundMessage(topic: "in", key: "q", value: Array("wait".utf8))])
        let consumer = CommitRecorder(try await bus.makeConsumer(group: "upper", topics: ["in"]))
        let producer = HeldProducer()
        let runner = ServiceRunner(stage: AsideStage(), consumer: consumer, producer: producer,
                                   pollTimeout: .milliseconds(5), deadLetterTopic: "dead", retryDelay: .milliseconds(1),
                                   stopGrace: Self.longGrace)
        let running = Task { try await runner.run() }
        do {
            try #require(await Self.until { producer.deliveries.count == 1 })
            #expect(producer.deliveries[0].values.isEmpty)
            producer.deliveries[0].acknowledgement.acknowledge()
            try await sender.send([OutboundMessage(topic: "in", key: "q", value: Array("answer".utf8))])
            try #require(await Self.until { producer.deliveries.count == 2 })
        } catch {
            running.cancel()
            throw error
        }
        #expect(producer.deliveries[1].values == ["WAIT", "ANSWER"])
        #expect(consumer.commits == 0)
        return AnsweredAside(bus: bus, consumer: consumer, producer: producer, runner: runner, running: running)
    }

    /// A batch whose commit its stage holds (an input set aside) is answered by a later batch;
    /// stopped while that later batch's delivery is unacknowledged, the runner waits for it and
    /// commits both, so the next member reads neither again.
    @Test func aStopCommitsAHeldBatchOnceTheLaterAnswerIsAcknowledged() async throws {
        let aside = try await Self.answeredAside()
        defer { aside.running.cancel() }
        aside.running.cancel()
        #expect(await Self.until { aside.producer.deliveries[1].acknowledgement.waiters > 0 })
        aside.producer.deliveries[1].acknowledgement.acknowledge()
        try await aside.running.value
        #expect(await aside.runner.counters.consumed == 2)
        #expect(await aside.bus.backlog(topic: "in") == 0)
        #expect(try await Self.nextMemberReads(aside.bus).isEmpty)
    }

    /// The answer of a held batch travels with a later batch whose delivery fails: the held
    /// batch stays uncommitted until the answer's second delivery is acknowledged (a failed
    /// delivery is not an answer given), so a crash meanwhile redelivers the waiting message.
    @Test func aHeldBatchWaitsForTheResentAnswerWhenItsFirstDeliveryFails() async throws {
        let aside = try await Self.answeredAside()
        defer { aside.running.cancel() }
        let producer = aside.producer
        producer.deliveries[1].acknowledgement.fail()
        // The answer is sent again; until that is acknowledged nothing is committed.
        try #require(await Self.until { producer.deliveries.count == 3 })
        #expect(producer.deliveries[2].values == ["WAIT", "ANSWER"])
        let pollsAfterResend = aside.consumer.polls
        #expect(await Self.until { aside.consumer.polls >= pollsAfterResend + 20 })
        #expect(aside.consumer.commits == 0, "a batch was committed while the answer it waited for was undelivered")
        #expect(await aside.bus.backlog(topic: "in") == 2)
        producer.deliveries[2].acknowledgement.acknowledge()
        #expect(await Self.until { await aside.bus.backlog(topic: "in") == 0 })
        #expect(await aside.runner.counters.consumed == 2)
        aside.running.cancel()
        try await aside.running.value
        #expect(try await Self.nextMemberReads(aside.bus).isEmpty)
    }
}

/// An acknowledgement that the test gives (`acknowledge`), fails (`fail`) or never gives.
final class HeldAcknowledgement: Sendable {
    private struct State {
        var outcome: Bool?  // true: acknowledged, false: failed
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var cancelled: Set<Int> = []
        var nextWaiter = 0
        var notify: [@Sendable () -> Void] = []
    }
    private let state = LockedValue(State())

    var receipt: DeliveryReceipt {
        DeliveryReceipt(wait: { try await self.wait() }, isSettled: { self.state.withLock { $0.outcome != nil } },
                        whenSettled: { body in
                            let now = self.state.withLock { state in
                                if state.outcome != nil { return true }
                                state.notify.append(body)
                                return false
                            }
                            if now { body() }
                        },
                        hasFailed: { self.state.withLock { $0.outcome == false } })
    }

    /// Tasks waiting for it now.
    var waiters: Int { state.withLock { $0.waiters.count } }

    func acknowledge() { settle(true) }
    func fail() { settle(false) }

    private func settle(_ acknowledged: Bool) {
        let (waiters, notify) = state.withLock { state in
            state.outcome = acknowledged
            defer { state.waiters = [:]; state.notify = [] }
            return (Array(state.waiters.values), state.notify)
        }
        for waiter in waiters {
            if acknowledged { waiter.resume() } else { waiter.resume(throwing: TransportError("delivery failed")) }
        }
        for body in notify { body() }
    }

    private func wait() async throws {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Bool?? = state.withLock { state in
                    if state.cancelled.contains(id) { return .some(nil) }
                    if let outcome = state.outcome { return .some(outcome) }
                    state.waiters[id] = continuation
                    return nil
                }
                switch outcome {
                case .none: break
                case .some(.none): continuation.resume(throwing: CancellationError())
                case .some(.some(true)): continuation.resume()
                case .some(.some(false)): continuation.resume(throwing: TransportError("delivery failed"))
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.cancelled.insert(id)
                return state.waiters.removeValue(forKey: id)
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

/// A producer that publishes nothing: it records each enqueued set with an acknowledgement
/// the test controls.
final class HeldProducer: MessageProducer {
    struct Delivery: Sendable {
        let values: [String]
        let acknowledgement: HeldAcknowledgement
    }
    private let recorded = LockedValue<[Delivery]>([])

    var deliveries: [Delivery] { recorded.withLock { $0 } }

    func enqueue(_ messages: [OutboundMessage]) async throws -> DeliveryReceipt {
        let acknowledgement = HeldAcknowledgement()
        recorded.withLock {
            $0.append(Delivery(values: messages.map { String(decoding: $0.value, as: UTF8.self) }, acknowledgement: acknowledgement))
        }
        return acknowledgement.receipt
    }

    func close() async {}
}

/// A consumer that counts the polls and commits it passes on.
final class CommitRecorder: MessageConsumer {
    private struct Counts {
        var polls = 0
        var commits = 0
        var closed = false
    }
    private let inner: any MessageConsumer
    private let counts = LockedValue(Counts())

    init(_ inner: any MessageConsumer) { self.inner = inner }

    var polls: Int { counts.withLock { $0.polls } }
    var commits: Int { counts.withLock { $0.commits } }
    var closed: Bool { counts.withLock { $0.closed } }

    func poll<Decoded: Sendable>(maxMessages: Int, timeout: Duration,
                                 _ decode: @escaping @Sendable (RawMessage) -> Decoded) async throws -> [Decoded] {
        defer { counts.withLock { $0.polls += 1 } }
        return try await inner.poll(maxMessages: maxMessages, timeout: timeout, decode)
    }

    func checkpoint() -> CommitCheckpoint { inner.checkpoint() }

    func commit(upTo checkpoint: CommitCheckpoint) async throws {
        try await inner.commit(upTo: checkpoint)
        counts.withLock { $0.commits += 1 }
    }

    func commitWithoutWaiting(upTo checkpoint: CommitCheckpoint) async throws {
        try await inner.commitWithoutWaiting(upTo: checkpoint)
        counts.withLock { $0.commits += 1 }
    }

    func wakeUp() { inner.wakeUp() }

    func close() async {
        await inner.close()
        counts.withLock { $0.closed = true }
    }
}

/// Sets "wait" aside (holding its batch's commit) until an "answer" arrives, then answers both.
actor AsideStage: PipelineStage {
    nonisolated let name = "upper"
    nonisolated let inputTopics = ["in"]
    private var aside: CommitHold?
    private var batchHold: CommitHold?
    private var answered: [CommitHold] = []

    static func decode(_ raw: RawMessage) -> Inbound<String> { .message(String(decoding: raw.value, as: UTF8.self)) }

    func handle(_ inputs: [String]) async throws -> [OutboundMessage] {
        var out: [OutboundMessage] = []
        for input in inputs {
            if input == "wait" {
                let hold = CommitHold(outstanding: 1)
                aside = hold
                batchHold = hold
            } else if let hold = aside {
                out.append(OutboundMessage(topic: "out", key: "q", value: Array("WAIT".utf8)))
                out.append(OutboundMessage(topic: "out", key: "q", value: Array(input.uppercased().utf8)))
                hold.answer()
                answered.append(hold)
                aside = nil
            }
        }
        return out
    }

    func takeCommitHolds() async -> CommitHolds {
        defer {
            batchHold = nil
            answered = []
        }
        return CommitHolds(held: batchHold, answered: answered)
    }
}

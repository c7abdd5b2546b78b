import Testing

@testable import Cache
@testable import Stages
@testable import Storage
@testable import Transport
@testable import VeredictoCore

/// The cache service's handling of misses: one LLM chain per question (askings of a question in
/// flight wait for its decision), failures remembered briefly, misplaced questions routed to
/// their partition, and misses sent to the LLM when the storage lookup fails.
@Suite(.timeLimit(.minutes(5))) struct CacheStageMissTests {
    static let topics = PipelineTopics()

    static func stage(clock: ManualClock = ManualClock(), storage: (any ResultStore)? = nil, failureTTL: Int = 5,
                      maxWaiters: Int = 100, perQuestion: Int = 100, lookupTimeout: Int = 2000,
                      questionPartitions: Int? = nil, chainTimeout: Int = 300,
                      warn: @escaping @Sendable (String) -> Void = { _ in }) -> CacheStage {
        var configuration = CacheConfiguration(policy: .lru, capacity: 100, ttlSeconds: 0)
        configuration.clock = clock.cacheClock
        configuration.failureTTLSeconds = failureTTL
        configuration.maxWaiters = maxWaiters
        configuration.maxWaitersPerQuestion = perQuestion
        configuration.storageLookupTimeoutMilliseconds = lookupTimeout
        configuration.chainTimeoutSeconds = chainTimeout
        return CacheStage(topics: topics, configuration: configuration, storage: storage, questionPartitions: questionPartitions,
                          warn: warn)
    }

    static func asking(_ questionID: String) -> CacheStage.Input {
        let question = QuestionMessage(questionID: questionID, title: "Title \(questionID)", content: "",
                                       bestAnswer: "Best answer")
        let partition = Int32(KeyPartitioner.partition(forKey: questionID, partitions: 4))
        return .question(question, partition: partition)
    }

    static func decided(_ questionID: String, trace: String = "t-chain", status: ResultStatus = .accepted)
        -> CacheStage.Input
    {
        .decided(ValidatedResponse.Answer(questionID: questionID, traceID: trace,
                                          llmAnswer: status == .failed ? "" : "An answer", score: 0.8, status: status))
    }

    static func requests(_ out: [OutboundMessage]) -> [OutboundMessage] {
        out.filter { $0.topic == topics.name(.llmRequests) }
    }

    static func responses(_ out: [OutboundMessage]) throws -> [ValidatedResponse] {
        try out.filter { $0.topic == topics.name(.validatedResponses) }.map { message in
            try message.value.withUnsafeBytes { try ValidatedResponse.decode($0) }
        }
    }

    @Test func askingsOfAQuestionInFlightWaitForItsChainAndAreAnsweredFromIt() async throws {
        let stage = Self.stage()
        // Two askings in one batch, a third in the next: one chain.
        let first = try await stage.handle([Self.asking("q1"), Self.asking("q1")])
        #expect(Self.requests(first).count == 1)
        #expect(try Self.responses(first).isEmpty)
        let firstHolds = await stage.takeCommitHolds()
        let held = try #require(firstHolds.held)
        #expect(held.outstanding == 1)
        let second = try await stage.handle([Self.asking("q1")])
        #expect(Self.requests(second).isEmpty)
        let secondHeld = try #require(await stage.takeCommitHolds().held)

        // The decision answers both waiters, in the batch that carries it.
        let answered = try await stage.handle([Self.decided("q1")])
        let responses = try Self.responses(answered)
        #expect(responses.count == 2)
        #expect(responses.allSatisfy { $0.source == .coalesced && $0.llmAnswer == "An answer" && $0.llmCalls == 0 })
        #expect(Set(responses.map(\.messageID)).count == 2)
        let holds = await stage.takeCommitHolds()
        #expect(holds.held == nil)
        #expect(Set(holds.answered.map(ObjectIdentifier.init)) == [ObjectIdentifier(held), ObjectIdentifier(secondHeld)])
        #expect(held.outstanding == 0 && secondHeld.outstanding == 0)
        let counts = await stage.counts
        #expect(counts.chainsStarted == 1 && counts.coalesced == 2 && counts.waiting == 0)

        // Then the cache answers.
        let later = try Self.responses(try await stage.handle([Self.asking("q1")]))
        #expect(later.map(\.source) == [.cache])
    }

    @Test func chainsOfAPartitionMovedAwayAreForgottenAndTheirHoldsAnswered() async throws {
        let stage = Self.stage(questionPartitions: 4)
        // Two questions on different partitions, each with a chain in flight and a waiter.
        let ids = ["q1", "q2", "q3", "q4", "q5", "q6"]
        let (gone, kept) = try #require(ids.lazy.flatMap { a in ids.lazy.map { (a, $0) } }.first { pair in
            KeyPartitioner.partition(forKey: pair.0, partitions: 4) != KeyPartitioner.partition(forKey: pair.1, partitions: 4)
        })
        _ = try await stage.handle([Self.asking(gone), Self.asking(gone), Self.asking(kept), Self.asking(kept)])
        let held = try #require(await stage.takeCommitHolds().held)
        #expect(held.outstanding == 2)
        let topic = Self.topics.name(.questionsIn)
        let partition = Int32(KeyPartitioner.partition(forKey: gone, partitions: 4))
        // Another topic's partitions, or none, change nothing.
        await stage.partitionsMovedAway([Self.topics.name(.llmRequests): [partition]])
        #expect(held.outstanding == 2)
        await stage.partitionsMovedAway([topic: [partition]])
        #expect(held.outstanding == 1)
        var counts = await stage.counts
        #expect(counts.chainsMovedAway == 1 && counts.waiting == 1)
        // The forgotten chain's decision (it went to the new owner) answers no one here; the
        // kept one's answers its waiter.
        #expect(try await stage.handle([Self.decided(gone)]).isEmpty)
        let answered = try Self.responses(try await stage.handle([Self.decided(kept)]))
        #expect(answered.map(\.source) == [.coalesced])
        #expect(held.outstanding == 0)
        counts = await stage.counts
        #expect(counts.waiting == 0)
    }

    @Test func aHeldCommitIsReleasedOnlyOnceItsAnswerIsAcknowledged() async throws {
        let hold = CommitHold(outstanding: 0)
        hold.setAside()
        #expect(!hold.isReleased)
        hold.answer()
        let acknowledged = LockedValue(false)
        hold.attach(DeliveryReceipt(wait: {}, isSettled: { acknowledged.withLock { $0 } }, whenSettled: { _ in }), batch: 1)
        #expect(!hold.isReleased)
        acknowledged.withLock { $0 = true }
        #expect(hold.isReleased)
    }

    @Test func aFailedDeliveryHoldsUntilItsResendIsAcknowledged() {
        let hold = CommitHold(outstanding: 1)
        hold.answer()
        hold.attach(DeliveryReceipt(wait: { throw TransportError("refused") }, isSettled: { true }, whenSettled: { $0() },
                                    hasFailed: { true }), batch: 7)
        #expect(!hold.isReleased)
        let acknowledged = LockedValue(false)
        hold.reattach(batch: 7, DeliveryReceipt(wait: {}, isSettled: { acknowledged.withLock { $0 } }, whenSettled: { _ in }))
        #expect(!hold.isReleased)
        acknowledged.withLock { $0 = true }
        #expect(hold.isReleased)
    }

    @Test func waitersOfATimedOutChainStartAnotherAndKeepTheirBatchHeld() async throws {
        let clock = ManualClock()
        let stage = Self.stage(clock: clock, chainTimeout: 10)
        _ = try await stage.handle([Self.asking("q5"), Self.asking("q5"), Self.asking("q5")])
        let held = try #require(await stage.takeCommitHolds().held)
        #expect(held.outstanding == 2)
        clock.advance(by: 11_000)
        let out = try await stage.handle([Self.asking("other")])
        #expect(Self.requests(out).map(\.key).sorted() == ["other", "q5"])
        let holds = await stage.takeCommitHolds()
        // One waiter started the new chain; the other waits for it, still under its batch's hold.
        #expect(held.outstanding == 1 && holds.answered.map(ObjectIdentifier.init) == [ObjectIdentifier(held)])
        #expect(holds.held == nil)
        let answered = try Self.responses(try await stage.handle([Self.decided("q5")]))
        #expect(answered.map(\.source) == [.coalesced])
        #expect(held.outstanding == 0)
        #expect(await stage.counts.chainTimeouts == 1)
    }

    @Test func aTurnWithoutInputHandsOnTheWaitersOfTimedOutChainsOnly() async throws {
        let clock = ManualClock()
        let warnings = LockedValue<[String]>([])
        let stage = Self.stage(clock: clock, chainTimeout: 10) { message in warnings.withLock { $0.append(message) } }
        _ = try await stage.handle([Self.asking("old"), Self.asking("old")])
        let held = try #require(await stage.takeCommitHolds().held)
        clock.advance(by: 5_000)
        _ = try await stage.handle([Self.asking("young"), Self.asking("young")])
        _ = await stage.takeCommitHolds()
        #expect(try await stage.turnWithoutInput().isEmpty)
        clock.advance(by: 5_500)
        // Only the chain started 10.5 s ago is past the timeout.
        let out = try await stage.turnWithoutInput()
        #expect(Self.requests(out).map(\.key) == ["old"] && out.count == 1)
        let holds = await stage.takeCommitHolds()
        #expect(holds.held == nil && holds.answered.map(ObjectIdentifier.init) == [ObjectIdentifier(held)])
        #expect(held.outstanding == 0)
        let counts = await stage.counts
        #expect(counts.chainTimeouts == 1 && counts.waiting == 1 && counts.chainsStarted == 3)
        // The operator is told, once per scan.
        #expect(warnings.withLock { $0 } == ["1 LLM chains in flight for CHAIN_TIMEOUT (10 s) without a decision read "
            + "here (questions old): their 1 waiting askings are handled again"])
        // The other chain reaches its timeout at 15 s; chains are checked at most once a second
        // of the cache's clock.
        clock.advance(by: 4_100)
        #expect(try await stage.turnWithoutInput().isEmpty)
        clock.advance(by: 500)
        #expect(try await stage.turnWithoutInput().isEmpty)
        clock.advance(by: 500)
        #expect(Self.requests(try await stage.turnWithoutInput()).map(\.key) == ["young"])
    }

    @Test func aTimeoutWarningNamesFiveQuestionsInOrderAndCountsTheRest() async throws {
        let clock = ManualClock()
        let warnings = LockedValue<[String]>([])
        let stage = Self.stage(clock: clock, chainTimeout: 10) { message in warnings.withLock { $0.append(message) } }
        // Two askings of each: the first starts a chain, the second waits for it.
        let ids = ["q7", "q3", "q1", "q6", "q2", "q5", "q4"]
        _ = try await stage.handle((ids + ids).map { Self.asking($0) })
        clock.advance(by: 10_000)
        #expect(try await stage.turnWithoutInput().count == 7)
        #expect(warnings.withLock { $0 } == ["7 LLM chains in flight for CHAIN_TIMEOUT (10 s) without a decision read "
            + "here (questions q1, q2, q3, q4, q5 and 2 more): their 7 waiting askings are handled again"])
    }

    @Test func anAskingDecidedLaterInItsBatchStartsNoChain() async throws {
        let stage = Self.stage()
        let out = try await stage.handle([Self.asking("q6"), Self.decided("q6")])
        #expect(Self.requests(out).isEmpty)
        #expect(try Self.responses(out).map(\.source) == [.cache])
    }

    @Test func waitersBeyondTheBoundPauseTheQuestions() async throws {
        let stage = Self.stage(maxWaiters: 100, perQuestion: 3)
        _ = try await stage.handle([Self.asking("hot"), Self.asking("hot"), Self.asking("hot")])
        #expect(await stage.takeCommitHolds().paused == [])
        _ = try await stage.handle([Self.asking("hot"), Self.asking("cold")])
        #expect(await stage.takeCommitHolds().paused == [Self.topics.name(.questionsIn)])
        _ = try await stage.handle([Self.decided("hot")])
        #expect(await stage.takeCommitHolds().paused == [])
    }

    @Test func aFailedDecisionIsRememberedForTheFailureTTL() async throws {
        let clock = ManualClock()
        let stage = Self.stage(clock: clock, failureTTL: 5)
        _ = try await stage.handle([Self.asking("q2")])
        let failed = try Self.responses(try await stage.handle([Self.asking("q2"), Self.decided("q2", status: .failed)]))
        // The waiter shares the chain's failure.
        #expect(failed.map(\.status) == [.failed])
        let meanwhile = try await stage.handle([Self.asking("q2")])
        #expect(Self.requests(meanwhile).isEmpty)
        #expect(try Self.responses(meanwhile).map { $0.status } == [.failed])
        #expect(try Self.responses(meanwhile).map { $0.attempts } == [0])
        clock.advance(by: 5_000)
        let after = try await stage.handle([Self.asking("q2")])
        #expect(Self.requests(after).count == 1)
        let counts = await stage.counts
        #expect(counts.failuresRemembered == 1 && counts.chainsStarted == 2)
    }

    @Test func withoutFailureMemoryAFailureStartsAnotherChain() async throws {
        let stage = Self.stage(failureTTL: 0)
        _ = try await stage.handle([Self.asking("q3")])
        _ = try await stage.handle([Self.decided("q3", status: .failed)])
        #expect(Self.requests(try await stage.handle([Self.asking("q3")])).count == 1)
    }

    @Test func aMisplacedQuestionIsRoutedToItsPartitionWithItsIDs() async throws {
        let stage = Self.stage(questionPartitions: 4)
        let question = QuestionMessage(messageID: "m-questions_in/0/7", traceID: "t-questions_in/0/7", questionID: "q4",
                                       title: "T", content: "", bestAnswer: "B")
        let home = KeyPartitioner.partition(forKey: "q4", partitions: 4)
        let elsewhere = Int32((home + 1) % 4)
        let out = try await stage.handle([.question(question, partition: elsewhere)])
        #expect(out.count == 1)
        #expect(out.first?.topic == Self.topics.name(.questionsIn) && out.first?.key == "q4")
        let routed = try #require(try out.first?.value.withUnsafeBytes { try QuestionMessage.decode($0) })
        #expect(routed.traceID == question.traceID && routed.messageID == question.messageID)
        #expect(Self.requests(try await stage.handle([.question(routed, partition: Int32(home))])).count == 1)
    }

    /// A store whose lookups fail, or never answer.
    actor BrokenStore: ResultStore {
        let hangs: Bool
        init(hangs: Bool) { self.hangs = hangs }
        func apply(_ decisions: [Decision]) async throws -> ResultLedger.Outcome { ResultLedger.Outcome() }
        func results(for questionIDs: [String]) async throws -> [String: StoredResult] {
            if hangs { try await Task.sleep(for: .seconds(3600)) }
            throw ConfigurationError("database unreachable")
        }
        func metrics() async throws -> PipelineMetrics { PipelineMetrics() }
    }

    @Test(arguments: [false, true]) func aFailingStorageLookupSendsMissesToTheLLM(hangs: Bool) async throws {
        let clock = ManualClock()
        let warnings = LockedValue<[String]>([])
        let stage = Self.stage(clock: clock, storage: BrokenStore(hangs: hangs), lookupTimeout: 50,
                               warn: { message in warnings.withLock { $0.append(message) } })
        _ = try await stage.handle([Self.decided("known")])
        let out = try await stage.handle([Self.asking("known"), Self.asking("new1"), Self.asking("new2")])
        #expect(try Self.responses(out).map(\.source) == [.cache])
        #expect(Self.requests(out).count == 2)
        #expect(await stage.counts.storageLookupFailures == 1)
        // The operator is told, once per failed lookup, why these questions cost LLM calls.
        let told = warnings.withLock { $0 }
        #expect(told.count == 1)
        #expect(told.first?.contains(hangs ? "took longer than STORAGE_LOOKUP_TIMEOUT_MS (50 ms)" : "database unreachable") == true,
                "\(told)")
    }

    /// A store that knows one decided question and answers its lookups only after a pause.
    actor SlowStore: ResultStore {
        func apply(_ decisions: [Decision]) async throws -> ResultLedger.Outcome { ResultLedger.Outcome() }
        func results(for questionIDs: [String]) async throws -> [String: StoredResult] {
            try await Task.sleep(for: .milliseconds(200))
            let decision = Decision(messageID: "m", traceID: "t", questionID: "known", title: "Title", content: "",
                                    bestAnswer: "Best answer", llmAnswer: "Stored answer", score: 0.9, firstScore: 0.9,
                                    attempts: 1, status: .accepted, source: .score, createdAt: 0, decidedAt: 1, llmCalls: 1)
            let result = StoredResult(decision: decision, storedAt: 1, timesAsked: 1, served: [.score: 1], llmCalls: 1, regenerations: 0)
            return Dictionary(uniqueKeysWithValues: questionIDs.filter { $0 == "known" }.map { ($0, result) })
        }
        func metrics() async throws -> PipelineMetrics { PipelineMetrics() }
    }

    /// A lookup timeout of 0 (the simulated pipeline's) awaits the lookup however long it takes,
    /// and still counts a failing one and sends its misses to the LLM.
    @Test func aLookupWithoutTimeoutIsAwaited() async throws {
        let slow = Self.stage(storage: SlowStore(), lookupTimeout: 0)
        let out = try await slow.handle([Self.asking("known"), Self.asking("new")])
        #expect(try Self.responses(out).map(\.source) == [.storage])
        #expect(try Self.responses(out).first?.llmAnswer == "Stored answer")
        #expect(Self.requests(out).count == 1)
        #expect(await slow.counts.storageLookupFailures == 0)

        let broken = Self.stage(storage: BrokenStore(hangs: false), lookupTimeout: 0)
        let missed = try await broken.handle([Self.asking("known")])
        #expect(Self.requests(missed).count == 1)
        #expect(await broken.counts.storageLookupFailures == 1)
    }
}

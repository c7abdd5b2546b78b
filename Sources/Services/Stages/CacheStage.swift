import Observability
import Cache
import LLM
import Storage
import Transport
import VeredictoCore
/// The cache service: answers repeated questions from its cache, then from storage, and
/// sends the rest (and every regeneration request) to the LLM, one chain per question.
///
/// Reads `questions_in`, `regeneration_requests` and `validated_responses`. Every topic is
/// keyed by question_id and the three are co-partitioned, so each instance owns its
/// partitions' questions: it sees every asking of them and learns their decisions.
/// - An asking of a question whose LLM chain is in flight waits for that chain's decision and
///   is answered from it (source `coalesced`) instead of calling the LLM. Its batch's commit
///   is held until then (`CommitHold`), so a crash redelivers it; at `maxWaiters` (or
///   `maxWaitersPerQuestion`) the stage pauses `questions_in` until chains are decided.
/// - A failed decision is remembered for `FAILURE_TTL`: askings meanwhile are answered as
///   failed rather than each starting a chain against a failing model.
/// - A question found on another partition than its key's (published by another producer,
///   with another key or none) is first published again, keyed by question_id, to its own
///   partition (as Kafka Streams repartitions), with the ids it was given here.
/// - A storage lookup that fails or times out sends the misses to the LLM (counted) instead
///   of stalling the pipeline.
public actor CacheStage: PipelineStage {
    /// Boxed (`indirect`): the runner copies inputs a few times, and a box is one reference
    /// to retain instead of one per string of the message.
    public indirect enum Input: Sendable {
        /// An asking, and the partition it was read from.
        case asking(AskedQuestion, partition: Int32)
        case regeneration(RegenerationRequest)
        /// A decision on `validated_responses`: the end of an LLM chain (an answer or a
        /// failure), or nil when it teaches nothing (served from the cache or storage).
        case decided(ValidatedResponse.Answer?)

        /// An asking given as a whole message.
        public static func question(_ message: QuestionMessage, partition: Int32) -> Input {
            .asking(AskedQuestion(message), partition: partition)
        }
    }

    struct CachedAnswer: Sendable {
        let llmAnswer: String
        let score: Double
        let status: ValidatedResponse.Status
        /// `llmAnswer` as JSON, written once here and copied into every response served from it.
        let encodedAnswer: JSONEncodedString

        init(llmAnswer: String, score: Double, status: ValidatedResponse.Status) {
            self.llmAnswer = llmAnswer
            self.score = score
            self.status = status
            encodedAnswer = JSONEncodedString(llmAnswer)
        }
    }

    /// A question's LLM chain in flight and the askings waiting for its decision.
    struct Chain {
        let traceID: String
        let startedAt: UInt64
        var waiters: [(question: AskedQuestion, hold: CommitHold)] = []
    }

    /// What the miss handling has done so far.
    public struct Counts: Sendable, Equatable {
        /// LLM chains started (first attempts sent to the LLM).
        public var chainsStarted = 0
        /// Askings answered from a chain in flight.
        public var coalesced = 0
        /// Askings answered as failed from a remembered failure.
        public var failuresRemembered = 0
        /// Questions routed to their partition first.
        public var rerouted = 0
        /// Storage lookups that failed or timed out (their misses went to the LLM).
        public var storageLookupFailures = 0
        /// Chains that timed out (their waiters started a new one).
        public var chainTimeouts = 0
        /// Chains in flight whose partition a rebalance moved to another member (forgotten here).
        public var chainsMovedAway = 0
        /// Askings waiting now.
        public var waiting = 0
    }

    public nonisolated let name = "cache"
    public nonisolated let inputTopics: [String]
    nonisolated let topics: PipelineTopics
    private let configuration: CacheConfiguration
    private var cache: AnswerCache<CachedAnswer>
    private var failures: AnswerCache<CachedAnswer>
    private let storage: (any ResultStore)?
    /// Partitions of `questions_in`, when known: a question read from another partition than
    /// its key's is routed there first.
    private let questionPartitions: Int?
    private var chains: [String: Chain] = [:]
    public private(set) var counts = Counts()
    private var batchHold: CommitHold?
    private var answeredHolds: [ObjectIdentifier: CommitHold] = [:]
    private var lastTimeoutScan: UInt64 = 0
    /// Where a failed storage lookup is reported (the service's log): each one may cost LLM
    /// calls, so an operator sees when and why.
    private let warn: @Sendable (String) -> Void

    public init(topics: PipelineTopics, configuration: CacheConfiguration, storage: (any ResultStore)?,
                questionPartitions: Int? = nil, warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.warn = warn
        self.topics = topics
        self.inputTopics = [topics.name(.questionsIn), topics.name(.regenerationRequests), topics.name(.validatedResponses)]
        self.configuration = configuration
        self.cache = configuration.makeCache(of: CachedAnswer.self)
        self.failures = AnswerCache(policy: .fifo, capacity: configuration.capacity,
                                    ttl: .seconds(max(1, configuration.failureTTLSeconds)), clock: configuration.clock)
        self.storage = storage
        self.questionPartitions = questionPartitions.map { max(1, $0) }
    }

    /// Hits, misses, evictions and expirations so far.
    public var stats: CacheStats { cache.stats }

    public static func decode(_ raw: RawMessage) -> Inbound<Input> {
        do {
            if Topic.validatedResponses.isSuffix(of: raw.topic) {
                return .message(.decided(try ValidatedResponse.decodeAnswer(raw.value)))
            }
            if Topic.regenerationRequests.isSuffix(of: raw.topic) {
                return .message(.regeneration(try RegenerationRequest.decode(raw.value)))
            }
            return .message(.asking(try AskedQuestion.decode(
                raw.value, fallbackMessageID: "m-" + recordID(raw), fallbackTraceID: "t-" + recordID(raw)),
                partition: raw.partition))
        } catch {
            return .invalid(InvalidMessage(raw, reason: "\(error)"))
        }
    }

    /// `topic/partition/offset`: the record's place, the same each time it is delivered. A
    /// question published by hand without ids gets `m-` and `t-` + this, so that a redelivery
    /// of it continues the same trace (and the store counts it once) instead of asking again.
    static func recordID(_ raw: RawMessage) -> String {
        "\(raw.topic)/\(raw.partition)/\(raw.offset)"
    }

    public func handle(_ inputs: [Input]) async throws -> [OutboundMessage] {
        var out: [OutboundMessage] = []
        // Misses, each with the hold of the batch it waited in when it comes from a timed-out chain.
        var misses: [(question: AskedQuestion, hold: CommitHold?)] = expiredChainWaiters(now: configuration.clock.now())
        let now = configuration.clock.now()
        for input in inputs {
            switch input {
            case .asking(let question, let partition):
                configuration.onAsking?(question.createdAt)
                if let questionPartitions,
                   Int(partition) != KeyPartitioner.partition(forKey: question.questionID, partitions: questionPartitions) {
                    // Its ids (filled in here if it had none) go with it: a redelivery of the
                    // misplaced record is routed again as the same asking.
                    counts.rerouted += 1
                    out.append(Self.outbound(question, topics))
                } else if let hit = cache.get(question.questionID) {
                    out.append(served(question, hit, source: .cache))
                } else if configuration.failureTTLSeconds > 0, failures.peek(question.questionID) != nil {
                    counts.failuresRemembered += 1
                    out.append(Self.failed(question.message).outbound(topics, key: question.questionID))
                } else if chains[question.questionID] != nil {
                    wait(question)
                } else {
                    misses.append((question, nil))
                }
            case .regeneration(let request):
                out.append(request.nextAttempt.outbound(topics, key: request.questionID))
            case .decided(let answer):
                guard let answer else { continue }
                if answer.status == .failed {
                    if configuration.failureTTLSeconds > 0 {
                        failures.put(answer.questionID, CachedAnswer(llmAnswer: "", score: 0, status: .failed))
                    }
                } else {
                    failures.remove(answer.questionID)
                    cache.put(answer.questionID, CachedAnswer(llmAnswer: answer.llmAnswer, score: answer.score,
                                                               status: answer.status))
                }
                answerWaiters(of: answer, into: &out)
            }
        }
        await answer(misses, now: now, into: &out)
        return out
    }

    /// Hands the waiters of chains past `CHAIN_TIMEOUT` on as misses when no input arrives: a
    /// chain's decision that never comes (lost, dead-lettered, or decided on another member)
    /// must not keep its askings set aside, and their batches uncommitted, until traffic resumes.
    public func turnWithoutInput() async throws -> [OutboundMessage] {
        let now = configuration.clock.now()
        let misses = expiredChainWaiters(now: now)
        guard !misses.isEmpty else { return [] }
        var out: [OutboundMessage] = []
        await answer(misses, now: now, into: &out)
        return out
    }

    /// Answers `misses` from storage where it holds their question's decision; the first of each
    /// other question starts its LLM chain and the rest wait for it. A miss that waited before
    /// (a timed-out chain's) keeps its batch's hold until it is answered.
    private func answer(_ misses: [(question: AskedQuestion, hold: CommitHold?)], now: UInt64,
                        into out: inout [OutboundMessage]) async {
        guard !misses.isEmpty else { return }
        let stored = await lookUp(misses.map(\.question.questionID))
        for (question, hold) in misses {
            if chains[question.questionID] != nil {
                // Asked again earlier in this batch: that asking started the chain. One that
                // waited before keeps its batch's hold.
                wait(question, hold: hold)
                continue
            }
            // Answered here (a timed-out chain's waiter): its earlier batch may be committed once
            // this batch's outputs are acknowledged.
            if let hold {
                hold.answer()
                answeredHolds[ObjectIdentifier(hold)] = hold
            }
            if let decided = cache.peek(question.questionID) {
                // Decided later in this batch, after this asking missed.
                out.append(served(question, decided, source: .cache))
            } else if let result = stored[question.questionID], result.decision.status != .failed {
                let answer = CachedAnswer(llmAnswer: result.decision.llmAnswer, score: result.decision.score,
                                          status: result.decision.status)
                cache.put(question.questionID, answer)
                out.append(served(question, answer, source: .storage))
            } else {
                chains[question.questionID] = Chain(traceID: question.traceID, startedAt: now)
                counts.chainsStarted += 1
                let message = question.message
                let prompt = LLMCompletionRequest.prompt(title: message.title, content: message.content)
                out.append(LLMRequest(message.context(prompt: prompt), attempts: 1)
                    .outbound(topics, key: question.questionID))
            }
        }
    }

    /// The askings waiting for chains in flight go back to `questions_in`, under their question's
    /// key, so the next owner of the partition answers them (from storage, or by waiting for the
    /// chain there); their holds are answered by that publication.
    public func handOffHeld() async -> [OutboundMessage] {
        var out: [OutboundMessage] = []
        for (questionID, chain) in chains where !chain.waiters.isEmpty {
            for (question, hold) in chain.waiters {
                out.append(Self.outbound(question, topics))
                hold.answer()
                answeredHolds[ObjectIdentifier(hold)] = hold
            }
            counts.waiting -= chain.waiters.count
            chains[questionID]?.waiters = []
        }
        return out
    }

    /// The chains of questions whose `questions_in` partition moved to another member end here:
    /// that member reads their waiting askings again (their offsets stay uncommitted here) and
    /// the decision goes to it (co-partitioned). Their holds are answered with nothing to send,
    /// so the batches they held commit (the moved partitions' offsets excepted).
    public func partitionsMovedAway(_ partitions: [String: Set<Int32>]) async {
        guard let questionPartitions, let moved = partitions[topics.name(.questionsIn)], !moved.isEmpty else { return }
        for (questionID, chain) in chains
        where moved.contains(Int32(KeyPartitioner.partition(forKey: questionID, partitions: questionPartitions))) {
            chains.removeValue(forKey: questionID)
            for (_, hold) in chain.waiters { hold.answer() }
            counts.waiting -= chain.waiters.count
            counts.chainsMovedAway += 1
        }
    }

    public func takeCommitHolds() async -> CommitHolds {
        defer {
            batchHold = nil
            answeredHolds = [:]
        }
        let full = counts.waiting >= configuration.maxWaiters
            || chains.values.contains { $0.waiters.count >= configuration.maxWaitersPerQuestion }
        return CommitHolds(held: batchHold, answered: Array(answeredHolds.values),
                           paused: full ? [topics.name(.questionsIn)] : [])
    }

    /// Sets `question` aside until its question's chain is decided; its batch (the one whose
    /// `hold` is given, else this one) is not committed before.
    private func wait(_ question: AskedQuestion, hold earlier: CommitHold? = nil) {
        let hold: CommitHold
        if let earlier {
            hold = earlier
        } else {
            hold = batchHold ?? CommitHold(outstanding: 0)
            batchHold = hold
            hold.setAside()
        }
        chains[question.questionID]!.waiters.append((question, hold))
        counts.waiting += 1
    }

    /// Answers the askings waiting for `answer`'s question (from any chain's decision: after a
    /// restart a second chain may decide first) and ends its chain.
    private func answerWaiters(of answer: ValidatedResponse.Answer, into out: inout [OutboundMessage]) {
        guard let chain = chains.removeValue(forKey: answer.questionID) else { return }
        let encoded = chain.waiters.isEmpty || answer.status == .failed ? nil : JSONEncodedString(answer.llmAnswer)
        for (question, hold) in chain.waiters {
            if let encoded {
                counts.coalesced += 1
                out.append(served(question, llmAnswer: encoded, score: answer.score, status: answer.status,
                                  source: .coalesced))
            } else {
                out.append(Self.failed(question.message).outbound(topics, key: question.questionID))
            }
            hold.answer()
            answeredHolds[ObjectIdentifier(hold)] = hold
        }
        counts.waiting -= chain.waiters.count
    }

    /// How many question ids a chain-timeout warning names.
    static let chainsNamedPerWarning = 5

    /// The waiters of chains in flight for longer than the chain timeout (checked at most once
    /// a second), with their batches' holds: they are handled again as misses, and the first of
    /// each question starts a new chain.
    private func expiredChainWaiters(now: UInt64) -> [(question: AskedQuestion, hold: CommitHold?)] {
        guard now &- lastTimeoutScan >= 1000 else { return [] }
        lastTimeoutScan = now
        let timeout = UInt64(configuration.chainTimeoutSeconds) * 1000
        var again: [(question: AskedQuestion, hold: CommitHold?)] = []
        var expired: [String] = []
        for (questionID, chain) in chains where now &- chain.startedAt >= timeout {
            chains.removeValue(forKey: questionID)
            expired.append(questionID)
            counts.waiting -= chain.waiters.count
            for (question, hold) in chain.waiters { again.append((question, hold)) }
        }
        if !expired.isEmpty {
            counts.chainTimeouts += expired.count
            // A decision that never came: lost, dead-lettered, or passed over by this member's
            // fetch. The questions named are where to look (their decisions, dead letters).
            expired.sort()
            let named = expired.prefix(Self.chainsNamedPerWarning).joined(separator: ", ")
                + (expired.count > Self.chainsNamedPerWarning ? " and \(expired.count - Self.chainsNamedPerWarning) more" : "")
            warn("\(expired.count) LLM chains in flight for CHAIN_TIMEOUT (\(configuration.chainTimeoutSeconds) s) without a "
                + "decision read here (questions \(named)): their \(again.count) waiting askings are handled again")
        }
        return again
    }

    /// Stored results of `questionIDs`, or none when the lookup fails or takes longer than
    /// the lookup timeout: the misses then go to the LLM rather than wait for the database.
    private func lookUp(_ questionIDs: [String]) async -> [String: StoredResult] {
        guard let storage else { return [:] }
        guard configuration.storageLookupTimeoutMilliseconds > 0 else {
            // No timeout: a store in this process, which answers at once (the simulated pipeline).
            do {
                return try await storage.results(for: questionIDs)
            } catch {
                counts.storageLookupFailures += 1
                warn("storage lookup of \(questionIDs.count) questions failed (\(error)): they go to the LLM")
                return [:]
            }
        }
        let timeout = Duration.milliseconds(configuration.storageLookupTimeoutMilliseconds)
        let found = await withTaskGroup(of: Result<[String: StoredResult], any Error>?.self) { group in
            group.addTask {
                do { return .success(try await storage.results(for: questionIDs)) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch found {
        case .success(let results):
            return results
        case .failure(let error):
            counts.storageLookupFailures += 1
            warn("storage lookup of \(questionIDs.count) questions failed (\(error)): they go to the LLM")
        case nil:
            counts.storageLookupFailures += 1
            warn("storage lookup of \(questionIDs.count) questions took longer than STORAGE_LOOKUP_TIMEOUT_MS "
                + "(\(configuration.storageLookupTimeoutMilliseconds) ms): they go to the LLM")
        }
        return [:]
    }

    /// The response to `question` from a cached answer, its JSON written from the question and
    /// the answer's JSON (the bytes `response` would encode to).
    private func served(_ question: AskedQuestion, _ answer: CachedAnswer, source: ValidatedResponse.Source)
        -> OutboundMessage {
        served(question, llmAnswer: answer.encodedAnswer, score: answer.score, status: answer.status, source: source)
    }

    private func served(_ question: AskedQuestion, llmAnswer: JSONEncodedString, score: Double,
                        status: ValidatedResponse.Status, source: ValidatedResponse.Source) -> OutboundMessage {
        OutboundMessage(topic: topics.name(.validatedResponses), key: question.questionID,
                        value: ValidatedResponse.servedJSON(answering: question, llmAnswer: llmAnswer, score: score,
                                                            status: status, source: source))
    }

    /// An asking sent (again) to `questions_in`, under its question's key.
    static func outbound(_ question: AskedQuestion, _ topics: PipelineTopics) -> OutboundMessage {
        OutboundMessage(topic: topics.name(.questionsIn), key: question.questionID, value: question.jsonBytes)
    }

    /// An asking answered as failed without calling the LLM (its question's chain failed).
    static func failed(_ question: QuestionMessage) -> ValidatedResponse {
        ValidatedResponse(question.context(prompt: ""), llmAnswer: "", score: 0, status: .failed, source: .failed,
                          attempts: 0, llmCalls: 0)
    }
}

extension CacheStage {
    public nonisolated func declareMetrics(in registry: MetricsRegistry) {
        registry.declare(ServiceMetricNames.cacheHits, .counter, help: "Cache lookups that found a live entry.")
        registry.declare(ServiceMetricNames.cacheMisses, .counter, help: "Cache lookups that found none.")
        registry.declare(ServiceMetricNames.cacheEvictions, .counter, help: "Entries evicted by the policy.")
        registry.declare(ServiceMetricNames.cacheExpirations, .counter, help: "Entries expired by the TTL.")
        registry.declare(ServiceMetricNames.cacheChainsStarted, .counter, help: "LLM chains started (first attempts sent to the LLM).")
        registry.declare(ServiceMetricNames.cacheCoalesced, .counter, help: "Askings answered from the decision of a chain in flight.")
        registry.declare(ServiceMetricNames.cacheFailuresRemembered, .counter,
                         help: "Askings answered as failed from a failure remembered for FAILURE_TTL.")
        registry.declare(ServiceMetricNames.cacheRerouted, .counter, help: "Questions routed to their question's partition first.")
        registry.declare(ServiceMetricNames.cacheStorageLookupFailures, .counter,
                         help: "Storage lookups that failed or timed out; their misses went to the LLM.")
        registry.declare(ServiceMetricNames.cacheChainTimeouts, .counter, help: "Chains in flight past CHAIN_TIMEOUT.")
        registry.declare(ServiceMetricNames.cacheChainsMovedAway, .counter,
                         help: "Chains in flight forgotten because a rebalance gave their partition to another member.")
        registry.declare(ServiceMetricNames.cacheWaiting, .gauge, help: "Askings waiting for a chain in flight.")
    }

    public func reportMetrics(to registry: MetricsRegistry) async {
        let stats = self.stats
        registry.setCounter(ServiceMetricNames.cacheHits, to: Double(stats.hits))
        registry.setCounter(ServiceMetricNames.cacheMisses, to: Double(stats.misses))
        registry.setCounter(ServiceMetricNames.cacheEvictions, to: Double(stats.evictions))
        registry.setCounter(ServiceMetricNames.cacheExpirations, to: Double(stats.expirations))
        let counts = self.counts
        registry.setCounter(ServiceMetricNames.cacheChainsStarted, to: Double(counts.chainsStarted))
        registry.setCounter(ServiceMetricNames.cacheCoalesced, to: Double(counts.coalesced))
        registry.setCounter(ServiceMetricNames.cacheFailuresRemembered, to: Double(counts.failuresRemembered))
        registry.setCounter(ServiceMetricNames.cacheRerouted, to: Double(counts.rerouted))
        registry.setCounter(ServiceMetricNames.cacheStorageLookupFailures, to: Double(counts.storageLookupFailures))
        registry.setCounter(ServiceMetricNames.cacheChainTimeouts, to: Double(counts.chainTimeouts))
        registry.setCounter(ServiceMetricNames.cacheChainsMovedAway, to: Double(counts.chainsMovedAway))
        registry.set(ServiceMetricNames.cacheWaiting, to: Double(counts.waiting))
    }
}

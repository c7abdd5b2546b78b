import Cache
import Generator
import LLM
import Observability
import Stages
import Storage
import Transport
import VeredictoCore

/// A run of the embedded pipeline on a virtual clock: the same stages as a live run (cache, LLM
/// with its retries, score, store), stepped one message at a time in order of virtual time.
///
/// The generator's arrivals, each hop between services (`hopMicroseconds`), the offline LLM's
/// latency, its backoff waits and `retry_at` times, and the cache's TTL all run on the virtual
/// clock (`PipelineTime`), and the processing itself takes no virtual time. Events at the same
/// instant are taken in the order they were scheduled, the ids of the questions are numbered, and
/// backoff jitter comes from seeded streams, so a run is a function of its settings and seed: the
/// same on every machine and under any load, and as fast as the CPU allows (nothing sleeps).
///
/// What it leaves out is what a live run adds on this machine: the time the services take to
/// process (queueing behind a busy core), batching, and the bus itself. The LLM service answers at
/// most `settings.llm.maxConcurrency` requests at a time; a request waits for a free slot.
public struct SimulatedPipeline: Sendable {
    public var run: PipelineRun
    /// Virtual time from a message's publication to its reading by the next service.
    public var hopMicroseconds: Int64 = 1000
    /// The virtual instant of the first question: 2026-01-01T00:00:00Z.
    public static let startMicroseconds: Int64 = 1_767_225_600_000_000

    public init(_ run: PipelineRun, hopMicroseconds: Int64 = 1000) {
        self.run = run
        self.hopMicroseconds = hopMicroseconds
    }

    private enum Payload {
        /// The generator's next question: its sequence number and the dataset row.
        case ask(Int, Int)
        /// A message to its topic's readers; `byCache` when the cache service published it.
        case deliver(OutboundMessage, byCache: Bool)
    }

    /// One answer the score service scored: its trace, attempt number (1 = the first answer) and
    /// score, whether it was then regenerated or decided.
    public struct ScoredAttempt: Sendable, Equatable {
        public var traceID: String
        public var attempt: Int
        public var score: Double
    }

    /// Runs every question to its decision (or until the task is cancelled: the report then says
    /// it is incomplete). `progress` is called every `progressEvery` decisions, `scored` once per
    /// answer the score service scored, in order of virtual time.
    public func execute(store: InMemoryResultStore = InMemoryResultStore(), latencies: LatencyRecorder = LatencyRecorder(),
                        progressEvery: Int = 10_000, progress: @Sendable (Int) -> Void = { _ in },
                        scored: (ScoredAttempt) -> Void = { _ in }) async throws -> PipelineRun.Report {
        guard run.settings.llm.backend == .offline else {
            throw ConfigurationError("a simulated run needs the offline LLM (LLM_BACKEND=offline); use --real-time for another backend")
        }
        var settings = run.settings
        settings.cache.clock = CacheClock { UInt64(max(0, PipelineTime.nowMicroseconds() - Self.startMicroseconds) / 1000) }
        // The in-memory store answers at once: no wall-clock timeout raced against each lookup
        // (two child tasks and a timer per cache miss, most of a run's time).
        settings.cache.storageLookupTimeoutMilliseconds = 0
        let topics = settings.topics
        let applied = LockedValue(0)
        let cache = CacheStage(topics: topics, configuration: settings.cache, storage: store)
        let llmCounters = LLMCounters()
        let llm = LLMStage(topics: topics, backend: settings.llm.makeBackend(), retry: settings.llm.retry, concurrency: 1,
                           counters: llmCounters, prices: settings.llm.prices)
        let retry = LLMRetryStage(topics: topics, maxRetries: settings.llmErrorRetries)
        let score = try ScoreStage(topics: topics, threshold: settings.scoreThreshold, maxRetries: settings.maxRetries,
                                   model: run.model)
        let storeStage = StoreStage(topics: topics, store: store) { outcome in
            latencies.record(milliseconds: outcome.latencies, paths: outcome.paths)
            applied.withLock { $0 += outcome.appliedIDs.count }
        }
        let names = (questions: topics.name(.questionsIn), regeneration: topics.name(.regenerationRequests),
                     validated: topics.name(.validatedResponses), requests: topics.name(.llmRequests),
                     responses: topics.name(.llmResponses), errors: topics.name(.llmErrors))

        var queue = EventQueue<Payload>()
        var random = SplitMix64(seed: run.seed)
        var elapsedSeconds = 0.0
        var asked = 0
        func scheduleNextAsk() {
            guard asked < run.total else { return }
            let index = run.popularity.next(&random)
            queue.schedule(.ask(asked, index), at: Self.startMicroseconds + Int64((elapsedSeconds * 1e6).rounded(.down)))
            asked += 1
            elapsedSeconds += run.arrival.nextGap(&random)
        }
        scheduleNextAsk()

        var llmSlots = [Int64](repeating: 0, count: max(1, settings.llm.maxConcurrency))
        var deadLetters = 0
        var offset: Int64 = 0
        var lastTime = Self.startMicroseconds
        var nextProgress = progressEvery
        var cancelled = false

        /// Decodes `message` as `Stage` reads it, handles it at `time` on a clock of its own and
        /// returns what it published and the virtual time it finished.
        func step<Stage: PipelineStage>(_ stage: Stage, _ message: OutboundMessage, at time: Int64)
            async throws -> (out: [OutboundMessage], end: Int64) {
            offset += 1
            let inbound = message.value.withUnsafeBytes { value in
                Stage.decode(RawMessage(topic: message.topic, partition: 0, offset: offset,
                                        key: UnsafeRawBufferPointer(start: nil, count: 0), value: value))
            }
            guard case .message(let input) = inbound else {
                deadLetters += 1
                return ([], time)
            }
            let clock = VirtualClock(microseconds: time, seed: run.seed ^ (UInt64(bitPattern: offset) &* 0x9E37_79B9_7F4A_7C15))
            let out = try await PipelineTime.withClock(clock) { try await stage.handle([input]) }
            return (out, clock.microseconds)
        }

        /// `message` as `Stage` would read it, or nil.
        func decoded<Stage: PipelineStage>(_: Stage.Type, _ message: OutboundMessage) -> Stage.Input? {
            message.value.withUnsafeBytes { value in
                let inbound = Stage.decode(RawMessage(topic: message.topic, partition: 0, offset: 0,
                                                      key: UnsafeRawBufferPointer(start: nil, count: 0), value: value))
                if case .message(let input) = inbound { return input }
                return nil
            }
        }

        while let event = queue.next() {
            if (event.sequence & 1023) == 0 && Task.isCancelled {
                cancelled = true
                break
            }
            lastTime = event.time
            var produced: [(OutboundMessage, Int64)] = []
            var byCache = false
            switch event.payload {
            case .ask(let sequence, let index):
                let row = run.questions[index]
                let question = QuestionMessage(
                    messageID: "m-\(sequence)", traceID: "t-\(sequence)", questionID: run.questionIDs[index], title: row.title,
                    content: row.content, bestAnswer: row.bestAnswer,
                    createdAt: Timestamp(microsecondsSinceEpoch: event.time))
                produced.append((question.outbound(topics, key: question.traceID), event.time))
                scheduleNextAsk()
            case .deliver(let message, let fromCache):
                switch message.topic {
                case names.questions, names.regeneration:
                    let (out, end) = try await step(cache, message, at: event.time)
                    produced += out.map { ($0, end) }
                    byCache = true
                case names.validated where fromCache:
                    // What the cache published itself (a hit, an answer from storage, a waiter
                    // answered, a remembered failure) teaches it nothing: it reads such a response
                    // as no decision and skips it. Only the store reads it; the record's offset is
                    // still used up, so the virtual clocks' seeds stay those of a full delivery.
                    offset += 1
                    _ = try await step(storeStage, message, at: event.time)
                case names.validated:
                    let (out, end) = try await step(cache, message, at: event.time)
                    produced += out.map { ($0, end) }
                    _ = try await step(storeStage, message, at: event.time)
                case names.requests:
                    let slot = llmSlots.indices.min { llmSlots[$0] < llmSlots[$1] }!
                    let (out, end) = try await step(llm, message, at: max(event.time, llmSlots[slot]))
                    llmSlots[slot] = end
                    produced += out.map { ($0, end) }
                case names.responses:
                    let (out, end) = try await step(score, message, at: event.time)
                    produced += out.map { ($0, end) }
                    for message in out {
                        if message.topic == names.validated, let decision = decoded(StoreStage.self, message) {
                            scored(ScoredAttempt(traceID: decision.traceID, attempt: decision.attempts, score: decision.score))
                        } else if message.topic == names.regeneration, case .regeneration(let request)? = decoded(CacheStage.self, message),
                                  let previous = request.previousScore {
                            scored(ScoredAttempt(traceID: request.traceID, attempt: request.attempts, score: previous))
                        }
                    }
                case names.errors:
                    let (out, end) = try await step(retry, message, at: event.time)
                    produced += out.map { ($0, end) }
                default:
                    deadLetters += 1
                }
            }
            for (message, time) in produced { queue.schedule(.deliver(message, byCache: byCache), at: time + hopMicroseconds) }
            let decided = applied.withLock { $0 }
            if decided >= nextProgress {
                progress(decided)
                nextProgress = decided + progressEvery
            }
        }
        let decided = applied.withLock { $0 }
        progress(decided)
        let metrics = try await store.metrics()
        let seconds = Double(lastTime - Self.startMicroseconds) / 1e6
        let served = metrics.bySource.values.reduce(0, +)
        return PipelineRun.Report(
            questions: decided, seconds: seconds, questionsPerSecond: seconds > 0 ? Double(decided) / seconds : 0,
            latency: latencies.summary, latencyByPath: latencies.summaryByPath, metrics: metrics,
            llmCallsPerQuestion: metrics.asked > 0 ? Double(metrics.llmCalls) / Double(metrics.asked) : 0,
            llm: LLMCost(counters: llmCounters.snapshot, prices: settings.llm.prices, metrics: metrics),
            cacheHitRate: served > 0 ? Double(metrics.bySource[.cache, default: 0]) / Double(served) : 0,
            deadLetters: deadLetters, peakResidentMegabytes: PipelineRun.peakResidentMegabytes(),
            completed: !cancelled && decided >= run.total)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dataset
import Generator
import Observability
import Scoring
import Stages
import Storage
import Transport
import VeredictoCore

/// One run of the whole pipeline in this process: the four services over a transport (the
/// in-memory bus, or Kafka), the generator publishing `total` questions, until the store has
/// recorded every one of them. What `veredicto run`, the experiments and the benchmark do.
public struct PipelineRun: Sendable {
    public var settings: PipelineSettings
    public var questions: [YahooRow]
    public var questionIDs: [String]
    public var arrival: ArrivalProcess
    public var popularity: Popularity
    public var total: Int
    public var seed: UInt64 = 42
    public var model: IDFModel?
    /// Longest time to wait for the last decision after the last send.
    public var drainTimeout: Duration = .seconds(300)
    /// Questions sent and decided before the measured run starts, so that consumer-group
    /// joins and connection set-up are not counted (a Kafka group join takes seconds).
    public var warmup = 0
    /// Instances of each consumer service, members of one consumer group that share its
    /// topics' partitions (as `docker compose up --scale` runs them, here in one process).
    public var instances = 1
    /// Called once the warm-up questions are all decided, before the measured ones are sent
    /// (at the start when there is no warm-up): figures kept outside the run, such as hop
    /// latencies, start over here.
    public var onMeasuredStart: @Sendable () -> Void = {}

    public init(settings: PipelineSettings, questions: [YahooRow], questionIDs: [String]? = nil, arrival: ArrivalProcess,
                popularity: Popularity, total: Int) {
        self.settings = settings
        self.questions = questions
        self.questionIDs = questionIDs ?? questions.indices.map { "q\($0)" }
        self.arrival = arrival
        self.popularity = popularity
        self.total = total
    }

    public struct Report: Sendable {
        public var questions: Int
        public var seconds: Double
        public var questionsPerSecond: Double
        public var latency: LatencyRecorder.Summary
        /// The same latencies by the way each asking went (cache, LLM attempts, failed).
        public var latencyByPath: [(path: DecisionPath, summary: LatencyRecorder.Summary)]
        public var metrics: PipelineMetrics
        public var llmCallsPerQuestion: Double
        /// What the LLM cost: calls made (failed ones included), tokens and price.
        public var llm: LLMCost
        public var cacheHitRate: Double
        public var deadLetters: Int
        public var peakResidentMegabytes: Double
        public var completed: Bool
        /// CPU time (user + system) of the whole process from the first measured send to the
        /// last decision, in seconds; nil where the run was not timed on the process (simulated).
        public var processCPUSeconds: Double? = nil
        /// The CPU time of each stage's tasks (and the generator's) over the same span, as
        /// their executors counted it (`ServiceCPUExecutor`); the rest of `processCPUSeconds`
        /// ran outside them (librdkafka's and libmongoc's threads, the run's own loop).
        public var cpuByStage: [StageCPU] = []
        /// The CPU time of librdkafka's threads over the same span (`ThreadCPU`), part of the
        /// rest of `processCPUSeconds`; nil when the run's transport is not Kafka. All of the
        /// process's librdkafka threads are counted, as the process CPU counts all of it.
        public var librdkafkaCPUSeconds: Double? = nil

        /// CPU seconds of one stage (or the generator) over a run.
        public struct StageCPU: Codable, Sendable, Equatable {
            public var stage: String
            public var seconds: Double
        }

        /// CPU microseconds per question decided of each stage, then of librdkafka's threads
        /// (when any ran), then of the rest of the process.
        public var cpuMicrosecondsPerQuestionByStage: [(stage: String, microseconds: Double)] {
            guard let processCPUSeconds, questions > 0, !cpuByStage.isEmpty else { return [] }
            let perQuestion = 1_000_000 / Double(questions)
            var counted = cpuByStage.reduce(0) { $0 + $1.seconds }
            var figures = cpuByStage.map { (stage: $0.stage, microseconds: $0.seconds * perQuestion) }
            if let librdkafkaCPUSeconds {
                // Read from /proc and the process's total from getrusage: never more than the rest.
                let librdkafka = min(librdkafkaCPUSeconds, max(0, processCPUSeconds - counted))
                figures.append((Self.librdkafkaThreads, librdkafka * perQuestion))
                counted += librdkafka
            }
            return figures + [(Self.restOfTheProcess, max(0, processCPUSeconds - counted) * perQuestion)]
        }

        public static let librdkafkaThreads = "librdkafka threads"
        public static let restOfTheProcess = "rest of the process"

        /// Process CPU microseconds per question decided (every service, the generator and the
        /// bus of this process together).
        public var cpuMicrosecondsPerQuestion: Double? {
            guard let processCPUSeconds, questions > 0 else { return nil }
            return processCPUSeconds * 1_000_000 / Double(questions)
        }
    }

    /// Runs to completion (or until `drainTimeout` after the last send). `progress` is called
    /// about every `progressInterval` with the number of questions decided so far.
    public func run(transport: any MessageTransport, store: any ResultStore, latencies: LatencyRecorder = LatencyRecorder(),
                    progressInterval: Duration = .milliseconds(500),
                    progress: @Sendable (Int) -> Void = { _ in },
                    onSent: @escaping @Sendable ([QuestionGenerator.Send]) -> Void = { _ in },
                    onError: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Report {
        // Whether the measured part has begun, and how many warm-up decisions the store has
        // reported through `onApplied` until then.
        let recording = LockedValue((measuring: warmup == 0, warmUpDecided: 0))
        let transport = SharedProducerTransport(transport)
        // On the normal path the producer is closed below, once the services have stopped.
        defer { Task { await transport.close() } }
        var runners: [any RunnableService] = []
        let llmCounters = LLMCounters()
        for service in PipelineService.allCases {
            for _ in 0..<max(1, instances) {
                runners += try await service.runners(
                    settings: settings, transport: transport, store: store, model: model, llmCounters: llmCounters,
                    onApplied: { outcome in
                        // Decided: recorded once measuring, else counted as the warm-up's.
                        let measuring = recording.withLock { state in
                            if !state.measuring { state.warmUpDecided += outcome.latencies.count }
                            return state.measuring
                        }
                        if measuring { latencies.record(milliseconds: outcome.latencies, paths: outcome.paths) }
                    },
                    onError: onError)
            }
        }
        // Each stage's tasks (and the generator's) on an executor that counts their CPU time.
        let (tasks, executors) = ServiceCPUExecutor.start(runners)
        let generatorExecutor = ServiceCPUExecutor(name: "generator")
        let stageExecutors = executors + [generatorExecutor]
        defer { for task in tasks { task.cancel() } }
        // One producer for the warm-up and the measured questions: a new Kafka producer spends
        // its first half second connecting and fetching metadata, which would be counted.
        let producer = try await transport.makeProducer()
        if warmup > 0 {
            var warm = try QuestionGenerator(questions: questions, questionIDs: questionIDs, arrival: .constant(rate: 0),
                                             popularity: popularity, total: warmup, seed: seed &+ 1, topics: settings.topics)
            warm.burst = 50
            try await warm.run(producer: producer)
            // Until every warm-up decision has passed `onApplied`: the store's own count moves
            // before the callback of the batch that moved it, so waiting on that count let the
            // last warm-up batch's latencies into the measured ones.
            let deadline = ContinuousClock.now + drainTimeout
            while recording.withLock({ $0.warmUpDecided }) < warmup && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            recording.withLock { $0.measuring = true }
        }
        onMeasuredStart()
        let baseline = try await store.metrics().asked
        let generator = try QuestionGenerator(questions: questions, questionIDs: questionIDs, arrival: arrival,
                                              popularity: popularity, total: total, seed: seed, topics: settings.topics)
        let clock = ContinuousClock()
        let started = clock.now
        let cpuAtStart = Self.processCPUSeconds()
        let stageCPUAtStart = stageExecutors.map(\.snapshot.seconds)
        let clientThreads = transport.clientThreadPrefix
        let threadsAtStart = clientThreads == nil ? [] : ThreadCPU.all()
        let sent = LockedValue(false)
        let sending = ServiceCPUExecutor.start(on: generatorExecutor) {
            defer { sent.withLock { $0 = true } }
            try await generator.run(producer: producer, onSent: onSent)
        }
        var decided = 0
        var lastProgress = clock.now
        var sendDone: ContinuousClock.Instant?
        // Cancelling the task that runs this (SIGINT, SIGTERM) stops the sends and ends the run
        // early: what was decided so far is reported, marked incomplete.
        var cancelled = false
        while decided < total {
            try? await Task.sleep(for: .milliseconds(5))
            if Task.isCancelled {
                cancelled = true
                sending.cancel()
                break
            }
            decided = try await store.metrics().asked - baseline
            if clock.now - lastProgress >= progressInterval {
                progress(decided)
                lastProgress = clock.now
            }
            if sendDone == nil, sent.withLock({ $0 }) { sendDone = clock.now }
            if let sendDone, clock.now - sendDone > drainTimeout { break }
        }
        let elapsed = clock.now - started
        let cpuSeconds = Self.processCPUSeconds() - cpuAtStart
        let stageCPU = zip(stageExecutors, stageCPUAtStart).map { executor, atStart in
            Report.StageCPU(stage: executor.name, seconds: executor.snapshot.seconds - atStart)
        }
        let librdkafka = clientThreads.map { prefix in
            ThreadCPU.spent(from: threadsAtStart, to: ThreadCPU.all()).filter { $0.name.hasPrefix(prefix) }
        }
        if cancelled {
            _ = try? await sending.value
            decided = try await store.metrics().asked - baseline
        } else {
            try await sending.value
        }
        await producer.close()
        progress(decided)
        for task in tasks { task.cancel() }
        for task in tasks { try? await task.value }
        await transport.close()
        var deadLetters = 0
        for runner in runners { deadLetters += await runner.currentCounters().deadLetters }
        let metrics = try await store.metrics()
        let seconds = elapsed.inSeconds
        let served = metrics.bySource.values.reduce(0, +)
        return Report(
            questions: decided, seconds: seconds, questionsPerSecond: Double(decided) / max(seconds, 1e-9),
            latency: latencies.summary, latencyByPath: latencies.summaryByPath, metrics: metrics,
            llmCallsPerQuestion: metrics.asked > 0 ? Double(metrics.llmCalls) / Double(metrics.asked) : 0,
            llm: LLMCost(counters: llmCounters.snapshot, prices: settings.llm.prices, metrics: metrics),
            cacheHitRate: served > 0 ? Double(metrics.bySource[.cache, default: 0]) / Double(served) : 0,
            deadLetters: deadLetters, peakResidentMegabytes: Self.peakResidentMegabytes(), completed: !cancelled && decided >= total,
            processCPUSeconds: cpuSeconds, cpuByStage: stageCPU,
            librdkafkaCPUSeconds: librdkafka.map { $0.reduce(0) { $0 + $1.seconds } })
    }

    /// User and system CPU time of this process so far (all threads), in seconds.
    public static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Peak resident memory of this process so far.
    public static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // Linux reports kilobytes
    }
}

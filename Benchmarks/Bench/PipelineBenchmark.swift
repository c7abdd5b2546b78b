import Foundation
import Dataset
import Generator
import Kafka
import Mongo
import Observability
import Runtime
import Storage
import Transport
import VeredictoCore

/// The `pipeline` section: the five services end to end with the offline LLM at zero
/// latency — over the in-memory bus always, and over Kafka (with the in-memory store and
/// with MongoDB) when `--kafka` and `--mongo` are given — plus the Kafka layer alone against
/// confluent-kafka's Python client in the same run.
struct PipelineBenchmark {
    var questions: Int
    var distinct: Int
    var kafka: String?
    var mongo: String?
    var mongoQuestions: Int
    /// Partitions per topic over Kafka. One by default: each service runs one instance here, so
    /// more partitions add no parallelism, only a record batch per partition in every produce
    /// request and a partition read in every fetch (measured on Tansu: 4 partitions cut the
    /// sustained rate from 26,300 to 21,600 questions/s and raised the half-load p99 from 105
    /// to 153 ms). Partitions as the unit of scaling are measured by `experiment scale`.
    var partitions: Int
    /// The broker whose CPU time the runs over Kafka report (`BrokerCPU`); nil: found by port.
    var brokerPID: Int32?
    /// Alternated rounds of the Kafka layer against confluent-kafka.
    var kafkaRounds = 3

    struct RunFigures: Codable {
        var transport: String
        var store: String
        var load: String
        var questions: Int
        var seconds: Double
        var questionsPerSecond: Double
        var latency: LatencyRecorder.Summary
        var llmCallsPerQuestion: Double
        var cacheHitRate: Double
        var peakResidentMegabytes: Double
        var completed: Bool
        /// CPU time of the whole bench process (every service, the generator, the bus) from the
        /// first measured send to the last decision, per question decided, in microseconds.
        var cpuMicrosecondsPerQuestion: Double?
        /// CPU microseconds per question of each stage, the generator and the rest of the
        /// process (`ServiceCPUExecutor`), over the same span as `cpuMicrosecondsPerQuestion`.
        var cpuByStage: [StageFigures] = []
        /// Latency of each way through the pipeline (cache, LLM at 1, 2, 3 attempts, failed).
        var paths: [PathFigures] = []
        /// Over Kafka: each topic's hop latency, record timestamp to poll.
        var hops: [HopFigures] = []
        /// Over Kafka: the broker's CPU time (and the bench's) from the measured start to the end.
        var broker: BrokerCPU.Figures?
    }

    struct StageFigures: Codable {
        var stage: String
        var microsecondsPerQuestion: Double
    }

    struct PathFigures: Codable {
        var path: String
        var topics: Int?
        var latency: LatencyRecorder.Summary
    }

    struct HopFigures: Codable {
        var topic: String
        var latency: LatencyRecorder.Summary
    }

    /// confluent-kafka alone carrying messages through chains of topics on the same broker
    /// (`scripts/kafka_chain.py`): what crossing 2, 4, 7 or 10 topics costs with no pipeline.
    struct ChainFigures: Codable {
        var hops: Int
        var p50Milliseconds: Double
        var p90Milliseconds: Double
        var p99Milliseconds: Double
    }

    struct KafkaFigures: Codable {
        var messages: Int
        var produceMessagesPerSecond: Double
        var consumeMessagesPerSecond: Double
        var compressionRatio: Double?
        var pythonProduceMessagesPerSecond: Double?
        var pythonConsumeMessagesPerSecond: Double?
        var produceRatio: Double?
        var consumeRatio: Double?
        /// The broker's CPU time while this project's layer, then confluent-kafka, produced and
        /// consumed the messages (per message).
        var broker: BrokerCPU.Figures?
        var pythonBroker: BrokerCPU.Figures?
        /// Each ratio's lowest and highest over the rounds.
        var produceRatioRange: [Double]?
        var consumeRatioRange: [Double]?
        var rounds: [KafkaRound] = []
    }

    /// One round: this project's layer, then confluent-kafka, messages per second.
    struct KafkaRound: Codable {
        var produce: Double
        var consume: Double
        var pythonProduce: Double?
        var pythonConsume: Double?
        /// Where each client's consume CPU went (see `ConsumeCPUFigures`).
        var consumeCPU: ConsumeCPUFigures?
        var pythonConsumeCPU: ConsumeCPUFigures?
    }

    /// Where one client's consume CPU went (`KafkaThroughputProbe.ConsumeCPU`; the Python
    /// baseline reads its own threads the same way), with what it is divided by.
    struct ConsumeCPUFigures: Codable {
        var cpu: KafkaThroughputProbe.ConsumeCPU
        /// Consume wall time (assignment to last message) and messages, to divide by.
        var consumeSeconds: Double
        var messages: Int

        /// Share of the consume time the fetch thread was on a CPU (the group join's few
        /// milliseconds of CPU included).
        var fetchThreadBusy: Double { cpu.fetchThreadSeconds / max(consumeSeconds, 1e-9) }
        /// Messages per second the fetch thread would allow if it never waited: the ceiling of
        /// any client reading through it.
        var fetchThreadCeiling: Double { Double(messages) / max(cpu.fetchThreadSeconds, 1e-9) }
        func microseconds(_ seconds: Double) -> Double { seconds * 1_000_000 / Double(max(messages, 1)) }
    }

    struct Figures: Codable {
        var runs: [RunFigures] = []
        var kafka: KafkaFigures?
        var chain: [ChainFigures] = []
        var chainRate: Double?
    }

    func dataset() -> [YahooRow] {
        var text = SyntheticText(seed: 5)
        return (0..<distinct).map { _ in text.row() }
    }

    func run() async throws -> Figures {
        var figures = Figures()
        let rows = dataset()
        let popularity = try Popularity.zipf(count: rows.count, exponent: 1.1)
        var settings = PipelineSettings()
        settings.cache.capacity = 10_000

        // Embedded: sustained rate, then latency at half that rate.
        let full = try await runOnce(settings: settings, rows: rows, popularity: popularity, total: questions,
                                     arrival: .constant(rate: 0), transport: InMemoryBus(partitions: 4, capacity: 65_536),
                                     store: InMemoryResultStore(), names: ("in-memory bus", "in-memory", "max rate"))
        figures.runs.append(full)
        let half = full.questionsPerSecond / 2
        let halfTotal = min(questions, max(1000, Int(half * 5)))
        figures.runs.append(try await runOnce(
            settings: settings, rows: rows, popularity: popularity, total: halfTotal, arrival: .poisson(lambda: half),
            transport: InMemoryBus(partitions: 4, capacity: 65_536), store: InMemoryResultStore(),
            names: ("in-memory bus", "in-memory", "poisson at half rate")))

        if let kafka {
            figures.kafka = try await kafkaLayer(kafka)
            var kafkaSettings = settings
            kafkaSettings.bootstrapServers = [kafka]
            kafkaSettings.sessionTimeout = .seconds(6)
            let transport = kafkaSettings.kafka
            let kafkaTotal = min(questions, 50_000)
            kafkaSettings.topics = PipelineTopics(prefix: "bench\(UInt32.random(in: 0...UInt32.max))_")
            try await transport.createTopics(Topic.allCases.map { kafkaSettings.topics.name($0) }, partitions: partitions)
            let broker = BrokerCPU.locate(pid: brokerPID, bootstrap: kafka)
            let brokerStart = LockedValue<BrokerCPU.Start?>(nil)
            var kafkaRun = try await runOnce(settings: kafkaSettings, rows: rows, popularity: popularity, total: kafkaTotal,
                                             arrival: .constant(rate: 0), transport: transport, store: InMemoryResultStore(),
                                             names: ("kafka", "in-memory", "max rate"),
                                             onMeasuredStart: { brokerStart.withLock { $0 = broker?.begin() } })
            kafkaRun.broker = broker?.end(brokerStart.withLock { $0 }, units: kafkaRun.questions)
            figures.runs.append(kafkaRun)
            kafkaSettings.topics = PipelineTopics(prefix: "bench\(UInt32.random(in: 0...UInt32.max))_")
            try await transport.createTopics(Topic.allCases.map { kafkaSettings.topics.name($0) }, partitions: partitions)
            let hops = HopLatencies()
            var measuredTransport = transport
            measuredTransport.onHops = { hops.record(topic: $0, milliseconds: $1) }
            var halfRun = try await runOnce(
                settings: kafkaSettings, rows: rows, popularity: popularity, total: min(kafkaTotal, max(1000, Int(kafkaRun.questionsPerSecond * 5))),
                arrival: .poisson(lambda: kafkaRun.questionsPerSecond / 2), transport: measuredTransport, store: InMemoryResultStore(),
                names: ("kafka", "in-memory", "poisson at half rate"),
                onMeasuredStart: { hops.reset(); brokerStart.withLock { $0 = broker?.begin() } })
            halfRun.broker = broker?.end(brokerStart.withLock { $0 }, units: halfRun.questions)
            let prefix = kafkaSettings.topics.prefix
            halfRun.hops = hops.summaries.map { HopFigures(topic: String($0.topic.dropFirst(prefix.count)), latency: $0.summary) }
            figures.runs.append(halfRun)
            if let numbers = try PythonBaseline.run("kafka_chain.py", ["--bootstrap", kafka]) {
                figures.chainRate = numbers["rate"]
                figures.chain = [2, 4, 7, 10].compactMap { hops in
                    guard let p50 = numbers["hops_\(hops)_p50_ms"], let p90 = numbers["hops_\(hops)_p90_ms"],
                          let p99 = numbers["hops_\(hops)_p99_ms"] else { return nil }
                    return ChainFigures(hops: hops, p50Milliseconds: p50, p90Milliseconds: p90, p99Milliseconds: p99)
                }
            } else {
                FileHandle.standardError.write(Data("bench: confluent-kafka chain baseline unavailable (run under scripts/test-env.sh); skipped\n".utf8))
            }
            if let mongo {
                let pool = try MongoClientPool(uri: mongo)
                defer { pool.close() }
                let database = pool.database("veredicto_bench_\(UInt32.random(in: 0...UInt32.max))")
                kafkaSettings.topics = PipelineTopics(prefix: "bench\(UInt32.random(in: 0...UInt32.max))_")
                try await transport.createTopics(Topic.allCases.map { kafkaSettings.topics.name($0) }, partitions: partitions)
                figures.runs.append(try await runOnce(
                    settings: kafkaSettings, rows: rows, popularity: popularity, total: mongoQuestions,
                    arrival: .constant(rate: 0), transport: transport, store: MongoResultStore(database: database),
                    names: ("kafka", "mongodb", "max rate")))
                try await database.dropDatabase()
            }
        }
        return figures
    }

    func runOnce(settings: PipelineSettings, rows: [YahooRow], popularity: Popularity, total: Int, arrival: ArrivalProcess,
                 transport: any MessageTransport, store: any ResultStore,
                 names: (String, String, String), onMeasuredStart: @escaping @Sendable () -> Void = {}) async throws -> RunFigures {
        var run = PipelineRun(settings: settings, questions: rows, arrival: arrival, popularity: popularity, total: total)
        run.onMeasuredStart = onMeasuredStart
        run.drainTimeout = .seconds(120)
        run.warmup = 500
        let report = try await run.run(transport: transport, store: store, onError: { message in
            FileHandle.standardError.write(Data("bench: \(message)\n".utf8))
        })
        return RunFigures(transport: names.0, store: names.1, load: names.2 + " (\(arrival))", questions: report.questions,
                          seconds: report.seconds, questionsPerSecond: report.questionsPerSecond, latency: report.latency,
                          llmCallsPerQuestion: report.llmCallsPerQuestion, cacheHitRate: report.cacheHitRate,
                          peakResidentMegabytes: report.peakResidentMegabytes, completed: report.completed,
                          cpuMicrosecondsPerQuestion: report.cpuMicrosecondsPerQuestion,
                          cpuByStage: report.cpuMicrosecondsPerQuestionByStage.map {
                              StageFigures(stage: $0.stage, microsecondsPerQuestion: $0.microseconds)
                          },
                          paths: report.latencyByPath.map { PathFigures(path: $0.path.descriptionWithTopics, topics: $0.path.topics, latency: $0.summary) })
    }

    /// The Kafka layer alone (this project's) and confluent-kafka's Python client, same broker.
    /// The Kafka layer and confluent-kafka, `kafkaRounds` times each, alternated (ours, theirs,
    /// ours, ...) so that a change in the machine's load meets both alike: a single round swung
    /// the produce ratio between 0.6 and 1.5 on this shared machine. The figures are the
    /// medians, each ratio the median of the rounds' ratios, with their range.
    func kafkaLayer(_ bootstrap: String) async throws -> KafkaFigures {
        let messages = 200_000
        var probe = KafkaThroughputProbe(bootstrapServers: [bootstrap], messageCount: messages)
        probe.sessionTimeout = .seconds(6)
        let broker = BrokerCPU.locate(pid: brokerPID, bootstrap: bootstrap)
        var rounds: [KafkaRound] = []
        var brokerFigures: [BrokerCPU.Figures] = [], pythonBrokerFigures: [BrokerCPU.Figures] = []
        var compression: [Double] = []
        var baselineMissing = false
        for _ in 0..<max(1, kafkaRounds) {
            var brokerStart = broker?.begin()
            let measurement = try await probe.run()
            if let figures = broker?.end(brokerStart, units: messages) { brokerFigures.append(figures) }
            if let ratio = measurement.compressionRatio { compression.append(ratio) }
            var round = KafkaRound(produce: measurement.produceMessagesPerSecond, consume: measurement.consumeMessagesPerSecond)
            round.consumeCPU = measurement.consumeCPU.map {
                ConsumeCPUFigures(cpu: $0, consumeSeconds: measurement.consumeSeconds, messages: messages)
            }
            if !baselineMissing {
                brokerStart = broker?.begin()
                if let numbers = try PythonBaseline.run("kafka_baseline.py", ["--bootstrap", bootstrap, "--messages", "\(messages)"]),
                   let produce = numbers["produce_msgs_per_s"], let consume = numbers["consume_msgs_per_s"] {
                    if let figures = broker?.end(brokerStart, units: messages) { pythonBrokerFigures.append(figures) }
                    round.pythonProduce = produce
                    round.pythonConsume = consume
                    if let fetch = numbers["consume_fetch_thread_cpu_s"], let librdkafka = numbers["consume_librdkafka_cpu_s"],
                       let other = numbers["consume_other_cpu_s"], consume > 0 {
                        round.pythonConsumeCPU = ConsumeCPUFigures(
                            cpu: KafkaThroughputProbe.ConsumeCPU(fetchThreadSeconds: fetch, librdkafkaSeconds: librdkafka,
                                                                 otherSeconds: other),
                            consumeSeconds: Double(messages) / consume, messages: messages)
                    }
                } else {
                    baselineMissing = true
                    FileHandle.standardError.write(Data("bench: confluent-kafka baseline unavailable (run under scripts/test-env.sh); skipped\n".utf8))
                }
            }
            rounds.append(round)
        }
        var figures = KafkaFigures(messages: messages, produceMessagesPerSecond: Self.median(rounds.map(\.produce)),
                                   consumeMessagesPerSecond: Self.median(rounds.map(\.consume)),
                                   compressionRatio: compression.isEmpty ? nil : Self.median(compression),
                                   broker: Self.medianByBroker(brokerFigures))
        figures.rounds = rounds
        let paired = rounds.filter { $0.pythonProduce != nil && $0.pythonConsume != nil }
        if !paired.isEmpty {
            figures.pythonProduceMessagesPerSecond = Self.median(paired.compactMap(\.pythonProduce))
            figures.pythonConsumeMessagesPerSecond = Self.median(paired.compactMap(\.pythonConsume))
            let produceRatios = paired.map { $0.produce / $0.pythonProduce! }
            let consumeRatios = paired.map { $0.consume / $0.pythonConsume! }
            figures.produceRatio = Self.median(produceRatios)
            figures.consumeRatio = Self.median(consumeRatios)
            figures.produceRatioRange = [produceRatios.min()!, produceRatios.max()!]
            figures.consumeRatioRange = [consumeRatios.min()!, consumeRatios.max()!]
            figures.pythonBroker = Self.medianByBroker(pythonBrokerFigures)
        }
        return figures
    }

    /// The middle value (the mean of the two middle ones for an even count).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The round whose broker CPU per message is the median one.
    static func medianByBroker(_ figures: [BrokerCPU.Figures]) -> BrokerCPU.Figures? {
        let sorted = figures.sorted { $0.brokerMicrosecondsPerUnit < $1.brokerMicrosecondsPerUnit }
        return sorted.isEmpty ? nil : sorted[sorted.count / 2]
    }
}

import ArgumentParser
import Foundation
import Logging
import Scoring

@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Veredicto: figures, and ratios against baselines measured in the same run.")

    enum Section: String, ExpressibleByArgument, CaseIterable {
        /// `kafka`: the Kafka layer alone against confluent-kafka (needs --kafka); the pipeline
        /// section runs it too, so it is not a default.
        case scoring, pipeline, kafka
    }

    @Option(name: .long, help: "Sections to run: \(Section.allCases.map(\.rawValue).joined(separator: ", ")); kafka is the Kafka layer alone, which pipeline includes.")
    var section: [Section] = [.scoring, .pipeline]

    @Flag(name: .long, help: "Print one JSON object with all figures instead of tables.")
    var json = false

    @Option(name: .long, help: "Pairs in the generated corpus (scoring).")
    var pairs: Int = 20_000

    @Option(name: .long, help: "Seed of the generated corpus.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Minimum seconds per measured round.")
    var seconds: Double = 0.3

    @Option(name: .long, help: "Kernels to compare (default: every kernel this CPU supports).")
    var kernel: [String] = []

    @Option(name: .long, help: "Measure on real text instead of generated text: a CSV file whose first column is a text (pairs are consecutive texts).")
    var texts: String?

    @Option(name: .long, help: "Measure on a Yahoo! Answers CSV (class, title, content, best answer), such as data/sample/yahoo_sample.csv: its titles, contents and best answers in order, pairs of consecutive texts.")
    var yahoo: String?

    @Flag(name: .customLong("no-sklearn"), help: "Skip the scikit-learn baseline even when it is installed.")
    var noSklearn = false

    @Option(name: .long, help: "Questions per pipeline run (pipeline).")
    var questions: Int = 200_000

    @Option(name: .customLong("distinct-questions"), help: "Distinct questions asked, Zipf-popular (pipeline).")
    var distinctQuestions: Int = 20_000

    @Option(name: .long, help: "Kafka bootstrap server: also run the pipeline over Kafka and measure the Kafka layer.")
    var kafka: String?

    @Option(name: .long, help: "MongoDB URI (with --kafka): also run the pipeline with the MongoDB store.")
    var mongo: String?

    @Option(name: .customLong("mongo-questions"), help: "Questions of the run with the MongoDB store.")
    var mongoQuestions: Int = 20_000

    @Option(name: .customLong("kafka-partitions"),
            help: "Partitions per topic of the pipeline runs over Kafka (one instance per service reads them all).")
    var kafkaPartitions: Int = 1

    @Option(name: .customLong("kafka-rounds"),
            help: "Alternated rounds of the Kafka layer and confluent-kafka; the ratios are the medians of the rounds'.")
    var kafkaRounds: Int = 3

    @Option(name: .customLong("broker-pid"),
            help: "Process id of the Kafka broker whose CPU time the runs over Kafka report (default: the process listening on the --kafka port of this machine, found through /proc).")
    var brokerPID: Int32?

    func validate() throws {
        guard pairs >= 100 else { throw ValidationError("--pairs must be at least 100, got \(pairs)") }
        guard seconds > 0 && seconds <= 60 else { throw ValidationError("--seconds must be in (0, 60], got \(seconds)") }
        guard questions >= 100 else { throw ValidationError("--questions must be at least 100, got \(questions)") }
        guard (1...1000).contains(kafkaPartitions) else { throw ValidationError("--kafka-partitions must be between 1 and 1000") }
        guard (1...20).contains(kafkaRounds) else { throw ValidationError("--kafka-rounds must be between 1 and 20") }
        guard distinctQuestions >= 1 else { throw ValidationError("--distinct-questions must be at least 1") }
        if mongo != nil && kafka == nil { throw ValidationError("--mongo needs --kafka (the MongoDB run goes over Kafka)") }
        if section.contains(.kafka) && kafka == nil { throw ValidationError("--section kafka needs --kafka") }
        if let brokerPID, brokerPID <= 0 { throw ValidationError("--broker-pid must be a process id, got \(brokerPID)") }
        for name in kernel {
            guard let chosen = ScoringKernel(name: name), chosen.isSupported else {
                throw ValidationError("--kernel \(name) is not a kernel of this CPU; choose from \(ScoringKernel.supported.map(\.description).joined(separator: ", "))")
            }
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        var report: [String: Any] = [:]
        if section.contains(.scoring) {
            let benchmark = ScoringBenchmark(pairs: pairs, seed: seed, fixture: "Tests/ScoringTests/Fixtures/pair_parity.jsonl",
                                             sklearn: !noSklearn, minimumSeconds: seconds,
                                             kernels: kernel.isEmpty ? ScoringKernel.supported : kernel.compactMap(ScoringKernel.init(name:)),
                                             textsFile: texts, yahooFile: yahoo)
            let figures = try benchmark.run()
            if json {
                report["scoring"] = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(figures))
            } else {
                ScoringReport(figures: figures).print()
            }
        }
        if section.contains(.pipeline) {
            var benchmark = PipelineBenchmark(questions: questions, distinct: distinctQuestions, kafka: kafka, mongo: mongo,
                                              mongoQuestions: mongoQuestions, partitions: kafkaPartitions)
            benchmark.brokerPID = brokerPID
            benchmark.kafkaRounds = kafkaRounds
            let figures = try await benchmark.run()
            if json {
                report["pipeline"] = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(figures))
            } else {
                PipelineReport(figures: figures).print()
            }
        }
        if section.contains(.kafka), !section.contains(.pipeline), let kafka {
            var benchmark = PipelineBenchmark(questions: questions, distinct: distinctQuestions, kafka: kafka, mongo: nil,
                                              mongoQuestions: mongoQuestions, partitions: kafkaPartitions)
            benchmark.brokerPID = brokerPID
            benchmark.kafkaRounds = kafkaRounds
            let figures = try await benchmark.kafkaLayer(kafka)
            if json {
                report["kafka"] = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(figures))
            } else {
                KafkaLayerReport(figures: figures).print()
            }
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

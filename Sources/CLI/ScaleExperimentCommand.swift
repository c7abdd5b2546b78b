import ArgumentParser
import Foundation
import Observability
import Runtime
import VeredictoCore

extension ExperimentCommand {
    struct Scale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sustained throughput per number of partitions and of service instances, over Kafka.",
            discussion: """
                For each partition count and instance count: topics of their own (a fresh prefix) with that
                many partitions, and that many members in each consumer group (cache, llm, score, store)
                running in this process, fed by the generator as fast as it can (or at the given arrival
                process). The sustained throughput is the rate of decisions stored between 10% and 90% of
                the questions. Without --kafka the same runs go over the in-memory bus, which shows how the
                services share one machine's cores rather than how Kafka spreads them.
                """)

        @Option(name: .long, help: "Partition counts, comma-separated.")
        var partitions: String = "1,2,4"

        @Option(name: .long, help: "Instances of each consumer service, comma-separated.")
        var instances: String = "1,2,4"

        @Option(name: .customLong("kafka"), help: "Kafka bootstrap servers (KAFKA_BOOTSTRAP_SERVERS); without it, the in-memory bus.")
        var kafka: String?

        @Option(name: .customLong("batch-size"), help: "Messages per consumer batch (BATCH_SIZE).")
        var batchSize: Int?

        @Option(name: .customLong("idf-model"), help: "Corpus IDF model file (IDF_MODEL); without it scoring uses pair IDF.")
        var idfModel: String?

        @OptionGroup var input: RunOptions

        /// The settings from the environment (SCORE_THRESHOLD, CACHE_*, LLM_*, ...) and these
        /// flags. The pipeline flags other commands take are left out: --partitions is this
        /// command's list.
        func settings() throws -> PipelineSettings {
            var environment = ProcessInfo.processInfo.environment
            for case let (name, value?) in [("KAFKA_BOOTSTRAP_SERVERS", kafka), ("BATCH_SIZE", batchSize.map(String.init)),
                                            ("IDF_MODEL", idfModel)] {
                environment[name] = value
            }
            do {
                return try PipelineSettings(environment: environment)
            } catch let error as ConfigurationError {
                throw ValidationError(error.description)
            }
        }

        func run() async throws {
            JSONLogHandler.bootstrap(level: .error)
            let partitionList = try ExperimentCommand.list(partitions, "partitions", expected: "partition counts from 1 to 1000") {
                Int($0).flatMap { (1...1000).contains($0) ? $0 : nil }
            }
            let instanceList = try ExperimentCommand.list(instances, "instances", expected: "instance counts from 1 to 64") {
                Int($0).flatMap { (1...64).contains($0) ? $0 : nil }
            }
            let settings = try settings()
            let questions = try input.loadQuestions()
            let base = try input.pipelineRun(settings: settings, questions: questions)
            let kafka = self.kafka != nil
            let backend: (Int) -> ExperimentBackend = { count in kafka ? .kafka(settings.kafka, partitions: count) : .embedded(partitions: count) }
            print("scale experiment: \(partitionList.count * instanceList.count) runs of \(input.traffic.total) questions from "
                + "\(input.sourceDescription), \(base.arrival), \(kafka ? "Kafka at \(settings.bootstrapServers.joined(separator: ","))" : "in-memory bus")")
            if !kafka { print("note: without --kafka the runs share the in-memory bus of this process") }
            print("partitions  instances  sustained q/s  overall q/s   p50 ms   p99 ms")
            let stamp = RunFiles.stamp()
            let points = try await ScaleExperiment.run(base, partitions: partitionList, instances: instanceList, backend: backend,
                                                       prefix: "exp_scale_\(stamp)_") { p in
                print(String(format: "%10d  %9d  %13.0f  %11.0f  %7.1f  %7.1f", p.partitions, p.instances, p.sustainedPerSecond,
                             p.overallPerSecond, p.p50, p.p99))
                if p.questions < input.traffic.total {
                    printError("warning: only \(p.questions) of \(input.traffic.total) questions were decided in time")
                }
            }
            let charts = ScaleExperiment.charts(points)
            var page = HTMLPage(title: "Scale experiment")
            page.paragraph("\(input.traffic.total) questions per configuration from \(input.sourceDescription), \(base.arrival), "
                + "\(kafka ? "over Kafka" : "over the in-memory bus"); every instance runs in one process on this machine.")
            page.table(["partitions", "instances", "sustained q/s", "overall q/s", "p50 ms", "p99 ms"], points.map {
                [String($0.partitions), String($0.instances), String(format: "%.0f", $0.sustainedPerSecond),
                 String(format: "%.0f", $0.overallPerSecond), String(format: "%.1f", $0.p50), String(format: "%.1f", $0.p99)]
            })
            for chart in charts { page.chart(chart) }
            print(try ExperimentCommand.writeFiles(kind: "scale", directory: input.outputDirectory, stamp: stamp,
                                                   csv: ScaleExperiment.csv(points), charts: charts, page: page))
        }
    }
}

import ArgumentParser
import Foundation
import Observability
import Runtime

extension ExperimentCommand {
    struct Latency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End-to-end latency distribution under an arrival process: percentiles, CDF chart and CSV.",
            discussion: """
                One run of the whole pipeline (embedded, or over Kafka with --kafka) with the arrival process
                of --distribution/--rate/--lambda/--low/--high (default here: poisson at 1000 questions per
                second). The latency of a question is from its creation by the generator to its decision
                stored; every time a question is asked counts, cache hits included. Writes the percentiles
                as a CSV (the CDF) and draws the CDF and the tail.
                """)

        @OptionGroup var input: RunOptions
        @OptionGroup var kafka: PipelineOptions.Kafka
        @OptionGroup var partitions: PipelineOptions.Partitions
        @OptionGroup var cache: PipelineOptions.Cache
        @OptionGroup var threshold: PipelineOptions.Threshold
        @OptionGroup var maxRetries: PipelineOptions.MaxRetries
        @OptionGroup var idfModel: PipelineOptions.IDFModel
        @OptionGroup var batchSize: PipelineOptions.BatchSize

        @Option(name: .customLong("llm-latency-ms"), help: "Median latency of the offline LLM (LLM_LATENCY_MS when absent).")
        var llmLatency: Double?

        func run() async throws {
            JSONLogHandler.bootstrap(level: .error)
            var settings = try PipelineOptions.settings([kafka, partitions, cache, threshold, maxRetries, idfModel, batchSize])
            if let llmLatency {
                guard llmLatency >= 0 else { throw ValidationError("--llm-latency-ms must be 0 or more, got \(llmLatency)") }
                settings.llm.latencyMedianMilliseconds = llmLatency
            }
            let questions = try input.loadQuestions()
            var base = try input.pipelineRun(settings: settings, questions: questions)
            if input.traffic.rate == nil && input.traffic.distribution == nil { base.arrival = .poisson(lambda: input.traffic.lambda) }
            let backend = try await ExperimentCommand.backend(settings: settings)
            let stamp = RunFiles.stamp()
            print("latency experiment: \(input.traffic.total) questions from \(input.sourceDescription) (\(questions.count) distinct), "
                + "\(base.arrival), zipf \(input.traffic.zipf), LLM latency \(settings.llm.latencyMedianMilliseconds) ms, \(backend.description), "
                + "real time (a load test: the figures depend on this machine and its load)")
            let progress = ProgressLine(total: input.traffic.total)
            let outcome = try await LatencyExperiment.run(base, backend: backend, prefix: "exp_latency_\(stamp)_",
                                                          progressInterval: progress.interval, progress: { progress.update($0) })
            progress.finish()
            let report = outcome.report
            print(String(format: "decided %d of %d questions in %.2f s (%.0f questions/s), cache hit rate %.1f%%", report.questions,
                         input.traffic.total, report.seconds, report.questionsPerSecond, report.cacheHitRate * 100))
            let labels = LatencyExperiment.tablePercentiles.map(\.label)
            let values = LatencyExperiment.tablePercentiles.map { String(format: "%.1f", outcome.milliseconds(at: $0.percentile)) }
            let width = max(6, values.map(\.count).max() ?? 0)
            func right(_ text: String) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
            print(labels.map(right).joined(separator: "  ") + "  (ms)")
            print(values.map(right).joined(separator: "  "))
            let paths = LatencyExperiment.pathRows(report)
            if !paths.isEmpty {
                let widths = (0..<LatencyExperiment.pathHeader.count).map { column in
                    ([LatencyExperiment.pathHeader] + paths).map { $0[column].count }.max() ?? 0
                }
                for row in [LatencyExperiment.pathHeader] + paths {
                    print(row.enumerated().map { column, text in
                        column == 0 ? text.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                            : String(repeating: " ", count: widths[column] - text.count) + text
                    }.joined(separator: "  "))
                }
            }
            if !report.completed {
                printError("warning: only \(report.questions) of \(input.traffic.total) questions were decided in time")
            }
            let charts = LatencyExperiment.charts(outcome.points, label: "\(base.arrival)")
            var page = HTMLPage(title: "Latency experiment")
            page.paragraph("\(input.traffic.total) questions from \(input.sourceDescription), \(base.arrival), zipf \(input.traffic.zipf), "
                + "\(backend.description): \(String(format: "%.0f", report.questionsPerSecond)) questions/s.")
            page.table(LatencyExperiment.tablePercentiles.map(\.label),
                       [LatencyExperiment.tablePercentiles.map { String(format: "%.1f ms", outcome.milliseconds(at: $0.percentile)) }])
            if !paths.isEmpty {
                page.paragraph("By path: the topics an asking crossed set most of its latency.")
                page.table(LatencyExperiment.pathHeader, paths)
            }
            for chart in charts { page.chart(chart) }
            print(try ExperimentCommand.writeFiles(kind: "latency", directory: input.outputDirectory, stamp: stamp,
                                                   csv: LatencyExperiment.csv(outcome.points), charts: charts, page: page))
        }
    }
}

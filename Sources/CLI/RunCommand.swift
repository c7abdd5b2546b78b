import ArgumentParser
import Foundation
import Logging
import Generator
import Observability
import Runtime
import Storage
import Transport
import VeredictoCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the whole pipeline in this process and write its results to data_collected/run_<time>/.",
        discussion: """
            The generator, cache, llm, score and store services run over an in-memory bus with
            bounded queues and an in-memory result store (--kafka and --mongo use a broker and a
            MongoDB server instead). Writes results.jsonl, results.csv, metrics.json, the traffic
            log and its plot, then prints a summary.
            """
    )

    @OptionGroup var input: RunOptions
    @OptionGroup var kafka: PipelineOptions.Kafka
    @OptionGroup var partitions: PipelineOptions.Partitions
    @OptionGroup var mongo: PipelineOptions.Mongo
    @OptionGroup var cache: PipelineOptions.Cache
    @OptionGroup var threshold: PipelineOptions.Threshold
    @OptionGroup var maxRetries: PipelineOptions.MaxRetries
    @OptionGroup var idfModel: PipelineOptions.IDFModel
    @OptionGroup var batchSize: PipelineOptions.BatchSize

    @Flag(name: .long, help: "Print the summary as one JSON object (the metrics.json document) on standard output; the text summary goes to standard error.")
    var json = false

    /// Text for people: standard output, or standard error when `--json` keeps standard output for the JSON.
    func say(_ text: String) {
        if json { printError(text) } else { print(text) }
    }

    func run() async throws {
        JSONLogHandler.bootstrap(level: .error)
        var settings = try PipelineOptions.settings([kafka, partitions, mongo, cache, threshold, maxRetries, idfModel, batchSize])
        let questions = try input.loadQuestions()
        let stamp = RunFiles.stamp()
        let directory = (input.outputDirectory as NSString).appendingPathComponent("run_\(stamp)")
        var hops: HopLatencies?
        if settings.transportBackend == .kafka {
            settings.topics = PipelineTopics(prefix: "run_\(stamp)_")
            hops = HopLatencies()
        }
        var onHops: (@Sendable (String, [Double]) -> Void)?
        if let hops { onHops = { hops.record(topic: $0, milliseconds: $1) } }
        let backends = try await PipelineBackends.forRun(settings: settings, onHops: onHops)
        let transport = backends.transport
        var pipeline = try input.pipelineRun(settings: settings, questions: questions)
        if transport != nil { pipeline.warmup = 20 }
        if let hops { pipeline.onMeasuredStart = { hops.reset() } }
        let log = try TrafficLog(directory: directory, name: "traffic")
        let progress = ProgressLine(total: input.traffic.total)
        say("run: \(input.traffic.total) questions from \(input.sourceDescription) (\(questions.count) distinct), "
            + "\(pipeline.arrival), zipf \(input.traffic.zipf), \(backends), real time (figures depend on this machine and its load)")
        let ready = pipeline
        let chosenTransport = transport
        let chosenStore = backends.store
        let outcome = try await SignalStop.run {
            try await ready.collect(transport: chosenTransport, store: chosenStore, progressInterval: progress.interval,
                                    progress: { progress.update($0) }, onSent: { log.record($0) },
                                    onError: { printError("warning: \($0)") })
        }
        progress.finish()
        log.finish()
        await backends.close()
        try RunFiles.write(outcome, settings: input.describe(settings: settings), prices: settings.llm.prices,
                           to: directory)
        say(RunFiles.summary(outcome, hops: hops, prefix: settings.topics.prefix))
        if !outcome.report.completed {
            printError("warning: only \(outcome.report.questions) of \(input.traffic.total) questions were decided in time")
        }
        say("files: \(directory)/{results.jsonl,results.csv,metrics.json,traffic.csv,traffic.svg}")
        if json {
            var document = RunFiles.document(outcome, settings: input.describe(settings: settings),
                                             prices: settings.llm.prices)
            document["latency_cdf"] = nil
            document["directory"] = directory
            let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
        if SignalStop.received.withLock({ $0 }) {
            printError("stopped by a signal: the run's files are marked incomplete (completed: false) and report skips them")
            throw SignalStop.exitCode
        }
    }
}

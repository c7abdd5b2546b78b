import ArgumentParser
import Foundation
import Logging
import Dataset
import Generator
import Observability
import Runtime
import VeredictoCore

/// The generator's flags and its run.
struct GeneratorOptions: ParsableArguments {
    @Option(name: .long, help: "Questions from this yahoo_answers_csv file; without it, from MongoDB `questions`.")
    var dataset: String?

    @OptionGroup var traffic: TrafficOptions

    @Option(name: .customLong("log-dir"), help: "Where the traffic log and plot go.")
    var logDirectory: String = "data_collected"

    func loadQuestions(settings: PipelineSettings) async throws -> (rows: [YahooRow], ids: [String]) {
        if let dataset {
            let reader = try YahooCSVReader(path: dataset)
            var rows: [YahooRow] = []
            while rows.count < traffic.maxQuestions, let row = try reader.next() { rows.append(row) }
            if let report = reader.skippedReport() {
                FileHandle.standardError.write(Data((report + "\n").utf8))
            }
            return (rows, rows.indices.map(QuestionsCollection.id(row:)))
        }
        let stored = try await PipelineBackends.questions(settings: settings).read(limit: traffic.maxQuestions)
        if stored.skipped > 0 {
            printError("warning: skipped \(stored.skipped) documents of `\(QuestionsCollection.name)` without an _id, title or best_answer")
        }
        return (stored.rows, stored.ids)
    }

    func run(settings: PipelineSettings, logger: Logger, stop: StopSignal, metrics: MetricsRegistry = MetricsRegistry()) async throws {
        metrics.declare("veredicto_generator_published_total", .counter, help: "Questions published and acknowledged.")
        let (rows, ids) = try await loadQuestions(settings: settings)
        guard !rows.isEmpty else {
            throw ValidationError("no questions: give --dataset FILE or load them with `veredicto dataset load`")
        }
        let popularity = try traffic.popularity(count: rows.count)
        let generator: QuestionGenerator
        do {
            generator = try QuestionGenerator(questions: rows, questionIDs: ids, arrival: traffic.arrival, popularity: popularity,
                                              total: traffic.total, seed: traffic.seed, topics: settings.topics)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let stamp = Timestamp.now().iso8601.replacing(":", with: "-")
        let log = try TrafficLog(directory: logDirectory, name: "generator_\(stamp)")
        let producer = try await settings.kafka.makeProducer()
        logger.info("publishing", metadata: ["total": "\(traffic.total)", "arrival": "\(traffic.arrival)", "questions": "\(rows.count)",
                                             "log": "\(log.csvPath)"])
        let task = Task { try await generator.run(producer: producer) { record in
            log.record(record)
            metrics.increment("veredicto_generator_published_total")
        } }
        stop.onSignal { task.cancel() }
        let clock = ContinuousClock()
        let started = clock.now
        do { try await task.value } catch is CancellationError {}
        await producer.close()
        let plot = log.finish()
        let elapsed = clock.now - started
        logger.info("published", metadata: ["seconds": "\(elapsed)", "log": "\(log.csvPath)", "plot": "\(plot)"])
    }
}

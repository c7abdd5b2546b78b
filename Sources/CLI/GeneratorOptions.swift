import ArgumentParser
import Foundation
import Logging
import Dataset
import Generator
import Mongo
import Observability
import Runtime
import VeredictoCore

/// The generator's flags and its run.
struct GeneratorOptions: ParsableArguments {
    @Option(name: .long, help: "Questions from this yahoo_answers_csv file; without it, from MongoDB `questions`.")
    var dataset: String?

    @Option(name: .long, help: "Questions to publish.")
    var total: Int = 1000

    @Option(name: .long, help: "Arrival process: poisson, uniform or constant.")
    var distribution: Distribution = .poisson

    @Option(name: .long, help: "Poisson rate, questions per second.")
    var lambda: Double = 10

    @Option(name: .long, help: "Uniform gaps: shortest, seconds.")
    var low: Double = 0.05

    @Option(name: .long, help: "Uniform gaps: longest, seconds.")
    var high: Double = 0.15

    @Option(name: .long, help: "Constant rate, questions per second (0 = as fast as possible).")
    var rate: Double?

    @Option(name: .long, help: "Zipf popularity exponent (e.g. 1.1); uniform popularity when absent.")
    var zipf: Double?

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 42

    @Option(name: .customLong("log-dir"), help: "Where the traffic log and plot go.")
    var logDirectory: String = "data_collected"

    @Option(name: .customLong("max-questions"), help: "Read at most this many questions from the dataset.")
    var maxQuestions: Int = 1_000_000

    enum Distribution: String, ExpressibleByArgument, CaseIterable {
        case poisson, uniform, constant

        /// The arrival process of the generator's flags: `--rate` wins, then `--distribution`
        /// (nil or constant without a rate: as fast as possible).
        static func arrival(_ distribution: Distribution?, rate: Double?, lambda: Double, low: Double,
                            high: Double) -> ArrivalProcess {
            if let rate { return .constant(rate: rate) }
            switch distribution {
            case .poisson: return .poisson(lambda: lambda)
            case .uniform: return .uniform(low: low, high: high)
            case .constant, nil: return .constant(rate: 0)
            }
        }
    }

    var arrival: ArrivalProcess {
        Distribution.arrival(distribution, rate: rate, lambda: lambda, low: low, high: high)
    }

    func loadQuestions(settings: PipelineSettings) async throws -> (rows: [YahooRow], ids: [String]) {
        if let dataset {
            let reader = try YahooCSVReader(path: dataset)
            var rows: [YahooRow] = []
            while rows.count < maxQuestions, let row = try reader.next() { rows.append(row) }
            if let report = reader.skippedReport() {
                FileHandle.standardError.write(Data((report + "\n").utf8))
            }
            return (rows, rows.indices.map { "q\($0)" })
        }
        let pool = try MongoClientPool(uri: settings.mongoURI)
        defer { pool.close() }
        let documents = try await pool.database(settings.mongoDatabase).find(collection: "questions", limit: maxQuestions)
        var rows: [YahooRow] = []
        var ids: [String] = []
        for document in documents {
            guard let id = document["_id"]?.stringValue, let title = document["title"]?.stringValue,
                  let answer = document["best_answer"]?.stringValue else { continue }
            rows.append(YahooRow(classIndex: Int(document["class"]?.int64Value ?? 0), title: title,
                                 content: document["content"]?.stringValue ?? "", bestAnswer: answer))
            ids.append(id)
        }
        return (rows, ids)
    }

    func run(settings: PipelineSettings, logger: Logger, stop: StopSignal, metrics: MetricsRegistry = MetricsRegistry()) async throws {
        metrics.declare("veredicto_generator_published_total", .counter, help: "Questions published and acknowledged.")
        let (rows, ids) = try await loadQuestions(settings: settings)
        guard !rows.isEmpty else {
            throw ValidationError("no questions: give --dataset FILE or load them with `veredicto dataset load`")
        }
        let popularity = try zipf.map { try Popularity.zipf(count: rows.count, exponent: $0) } ?? .uniform(count: rows.count)
        let generator: QuestionGenerator
        do {
            generator = try QuestionGenerator(questions: rows, questionIDs: ids, arrival: arrival, popularity: popularity,
                                              total: total, seed: seed, topics: settings.topics)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let stamp = Timestamp.now().iso8601.replacing(":", with: "-")
        let log = try TrafficLog(directory: logDirectory, name: "generator_\(stamp)")
        let producer = try await settings.kafka.makeProducer()
        logger.info("publishing", metadata: ["total": "\(total)", "arrival": "\(arrival)", "questions": "\(rows.count)",
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

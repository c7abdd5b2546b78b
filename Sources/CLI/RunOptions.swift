import ArgumentParser
import Foundation
import Dataset
import Generator
import Runtime
import VeredictoCore

/// Where the questions of an embedded run come from and how they arrive: the generator's
/// flags, with the defaults of a quick local run (the bundled sample, 5,000 questions, Zipf 1.1,
/// as fast as possible).
struct RunOptions: ParsableArguments {
    @Option(name: .long, help: "Questions from this yahoo_answers_csv file.")
    var dataset: String = "data/sample/yahoo_sample.csv"

    @Option(name: .long, help: "Use N generated Yahoo-like questions instead of a dataset file.")
    var synthetic: Int?

    @Option(name: .long, help: "Questions to ask.")
    var total: Int = 5000

    @Option(name: .long, help: "Arrival process: poisson, uniform or constant (default: as fast as possible).")
    var distribution: GeneratorOptions.Distribution?

    @Option(name: .long, help: "Poisson rate, questions per second.")
    var lambda: Double = 1000

    @Option(name: .long, help: "Uniform gaps: shortest, seconds.")
    var low: Double = 0.0005

    @Option(name: .long, help: "Uniform gaps: longest, seconds.")
    var high: Double = 0.0015

    @Option(name: .long, help: "Constant rate, questions per second (0 or absent = as fast as possible).")
    var rate: Double?

    @Option(name: .long, help: "Zipf popularity exponent; 0 = uniform popularity.")
    var zipf: Double = 1.1

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 42

    @Option(name: .customLong("max-questions"), help: "Read at most this many questions from the dataset.")
    var maxQuestions: Int = 1_000_000

    @Option(name: .customLong("out-dir"), help: "Where the run's files go.")
    var outputDirectory: String = "data_collected"

    var arrival: ArrivalProcess {
        GeneratorOptions.Distribution.arrival(distribution, rate: rate, lambda: lambda, low: low, high: high)
    }

    func loadQuestions() throws -> [YahooRow] {
        if let synthetic {
            guard synthetic > 0 else { throw ValidationError("--synthetic needs a positive number of questions") }
            var text = SyntheticText(seed: seed)
            return (0..<synthetic).map { _ in text.row() }
        }
        guard let path = Self.locate(dataset) else {
            throw ValidationError("--dataset: no file \(dataset): give --dataset FILE or --synthetic N")
        }
        let reader = try YahooCSVReader(path: path)
        var rows: [YahooRow] = []
        while rows.count < maxQuestions, let row = try reader.next() { rows.append(row) }
        guard !rows.isEmpty else { throw ValidationError("no questions in \(dataset)") }
        return rows
    }

    /// The bundled sample's path inside the package.
    static let bundledSample = "data/sample/yahoo_sample.csv"

    /// `path` as given when it exists; for a relative path that does not, the same path under the
    /// directory of the executable or of any directory above it (the sample ships next to the
    /// binary in the image, and a build under `.build/` finds the package root), so that `run`
    /// works from any directory.
    static func locate(_ path: String) -> String? {
        if FileManager.default.fileExists(atPath: path) { return path }
        guard !path.hasPrefix("/") else { return nil }
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var directory = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" && !directory.path.isEmpty {
            let candidate = directory.appendingPathComponent(path).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// The pipeline run these flags describe, over `settings`.
    func pipelineRun(settings: PipelineSettings, questions: [YahooRow]) throws -> PipelineRun {
        guard total > 0 else { throw ValidationError("--total must be positive") }
        do {
            let popularity = zipf > 0 ? try Popularity.zipf(count: questions.count, exponent: zipf) : .uniform(count: questions.count)
            var run = PipelineRun(settings: settings, questions: questions, arrival: try arrival.validated(),
                                  popularity: popularity, total: total)
            run.seed = seed
            run.model = try settings.loadModel()
            return run
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }

    var sourceDescription: String { synthetic.map { "synthetic:\($0)" } ?? dataset }

    func describe(settings: PipelineSettings) -> [String: Any] {
        [
            "dataset": sourceDescription, "total": total, "arrival": "\(arrival)", "zipf": zipf, "seed": Int(seed),
            "threshold": settings.scoreThreshold, "max_retries": settings.maxRetries,
            "cache_policy": settings.cache.policy.rawValue, "cache_size": settings.cache.capacity,
            "cache_ttl": settings.cache.ttlSeconds, "idf_mode": "\(settings.idfMode)",
            "llm_latency_ms": settings.llm.latencyMedianMilliseconds,
        ]
    }
}

/// A progress line: on a terminal one bar redrawn in place, otherwise a plain line each call.
final class ProgressLine: @unchecked Sendable {
    // @unchecked: only called from the run's progress callback, one call at a time.
    let total: Int
    let terminal = isatty(2) != 0
    private var started = ContinuousClock.now
    private var updated = false
    private var drawn = false

    init(total: Int) { self.total = total }

    var interval: Duration { terminal ? .milliseconds(200) : .seconds(2) }

    func update(_ done: Int) {
        // The first call comes about one interval into the measured run; much later than
        // that, a warm-up came first and the rate counts from the measured run.
        let now = ContinuousClock.now
        if !updated && now - started > interval * 2 + .seconds(1) { started = now - interval }
        updated = true
        let elapsed = now - started
        let seconds = elapsed.inSeconds
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        if terminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data(
                "\r[\(bar)] \(done)/\(total) \(String(format: "%3.0f%%  %.0f q/s  ETA %.1f s ", fraction * 100, rate, eta))".utf8))
            drawn = true
        } else {
            printError("progress: \(done)/\(total) questions decided, \(String(format: "%.0f q/s, ETA %.1f s", rate, eta))")
        }
    }

    func finish() {
        if drawn { printError("") }
    }
}

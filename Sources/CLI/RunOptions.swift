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

    @OptionGroup var traffic: TrafficOptions

    @Option(name: .customLong("out-dir"), help: "Where the run's files go.")
    var outputDirectory: String = "data_collected"

    func loadQuestions() throws -> [YahooRow] {
        if let synthetic {
            guard synthetic > 0 else { throw ValidationError("--synthetic needs a positive number of questions") }
            var text = SyntheticText(seed: traffic.seed)
            return (0..<synthetic).map { _ in text.row() }
        }
        guard let path = Self.locate(dataset) else {
            throw ValidationError("--dataset: no file \(dataset): give --dataset FILE or --synthetic N")
        }
        let reader = try YahooCSVReader(path: path)
        var rows: [YahooRow] = []
        while rows.count < traffic.maxQuestions, let row = try reader.next() { rows.append(row) }
        if let report = reader.skippedReport() {
            FileHandle.standardError.write(Data((report + "\n").utf8))
        }
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
        do {
            var run = PipelineRun(settings: settings, questions: questions, arrival: try traffic.arrival.validated(),
                                  popularity: try traffic.popularity(count: questions.count), total: traffic.total)
            run.seed = traffic.seed
            run.model = try settings.loadModel()
            return run
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }

    var sourceDescription: String { synthetic.map { "synthetic:\($0)" } ?? dataset }

    func describe(settings: PipelineSettings) -> [String: Any] {
        [
            "dataset": sourceDescription, "total": traffic.total, "arrival": "\(traffic.arrival)", "zipf": traffic.zipf, "seed": Int(traffic.seed),
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

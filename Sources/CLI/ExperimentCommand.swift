import ArgumentParser
import Foundation
import Logging
import Cache
import Generator
import Observability
import Runtime
import Transport
import VeredictoCore

struct ExperimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment", abstract: "Run the embedded pipeline once per setting and compare.",
        subcommands: [Latency.self, Threshold.self, Cache.self, Scale.self, Retry.self, Regeneration.self])

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Writes an experiment's files, `<directory>/experiment_<kind>_<time>.{csv,svg,html}`: its
    /// table, its first chart alone, and the page; returns the line that lists them.
    static func writeFiles(kind: String, directory: String, stamp: String = RunFiles.stamp(), csv: String,
                           charts: [SVGChart], page: HTMLPage) throws -> String {
        let stem = (directory as NSString).appendingPathComponent("experiment_\(kind)_\(stamp)")
        try write(csv, to: stem + ".csv")
        try write(charts[0].render(), to: stem + ".svg")
        try write(page.render(), to: stem + ".html")
        return "files: \(stem).csv, \(stem).svg, \(stem).html"
    }

    /// Runs an experiment so that the first SIGINT or SIGTERM stops it cleanly: `body` gets a
    /// closure to call with each finished point; on a stop, the points finished so far are written
    /// to `experiment_<kind>_<time>-incomplete.csv` (which `report` skips, saying so) and the
    /// command exits 130.
    static func stoppable<Point: Sendable>(kind: String, directory: String, of total: Int, csv: ([Point]) -> String,
                                           _ body: @escaping @Sendable (@escaping @Sendable (Point) -> Void) async throws -> [Point])
        async throws -> [Point] {
        let finished = LockedValue<[Point]>([])
        do {
            return try await SignalStop.run { try await body { point in finished.withLock { $0.append(point) } } }
        } catch is CancellationError where SignalStop.received.withLock({ $0 }) {
            let done = finished.withLock { $0 }
            let path = (directory as NSString).appendingPathComponent("experiment_\(kind)_\(RunFiles.stamp())\(RunReport.incompleteMark).csv")
            try write(csv(done), to: path)
            printError("stopped by a signal after \(done.count) of \(total) points: \(path) (marked incomplete; report skips it)")
            throw SignalStop.exitCode
        }
    }

    /// The values of a comma-separated flag; the error names the first value it cannot read
    /// and what the flag takes.
    static func list<T>(_ text: String, _ name: String, expected: String, _ parse: (String) -> T?) throws -> [T] {
        let values = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !values.isEmpty else { throw ValidationError("--\(name) is empty: give a comma-separated list of \(expected)") }
        var parsed: [T] = []
        for value in values {
            guard let item = parse(value) else {
                throw ValidationError("--\(name): cannot read '\(value)': give a comma-separated list of \(expected)")
            }
            parsed.append(item)
        }
        return parsed
    }

    /// `text` left-aligned in `width` columns.
    static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func seconds(_ duration: Duration) -> Double {
        duration.inSeconds
    }

    /// The embedded bus, or Kafka when the settings say so (--kafka).
    static func backend(settings: PipelineSettings) async throws -> ExperimentBackend {
        ExperimentBackend(settings: settings)
    }

    struct Threshold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Final quality against regeneration cost per score threshold, over the same question streams.",
            discussion: """
                Each threshold runs once per seed (--seeds, 5 by default), simulated on a virtual clock unless --real-time is given, and is reported as the mean with its 95 % interval: mean final score, share accepted, and the cost, LLM calls per asking the LLM decided. The suggested threshold is never one that another threshold beats on both quality and cost, and a dearer threshold is suggested only when its final score is significantly higher.
                """)

        @Option(name: .long, help: "Thresholds to try, comma-separated.")
        var values: String = "0.3,0.4,0.5,0.6,0.65,0.7"

        @Option(name: .long, help: "LLM calls per LLM-decided asking the suggestion must stay within.")
        var budget: Double = 2.0

        @Option(name: .long, help: "Runs per threshold, with seeds --seed, --seed + 1, ...")
        var seeds: Int = 5

        @Flag(name: .customLong("real-time"), help: "Run the pipeline live instead of on the virtual clock (not reproducible).")
        var realTime = false

        @Option(name: .long, help: "Runs at a time. Default: the number of cores when simulated, 1 in real time.")
        var parallel: Int?

        @OptionGroup var input: RunOptions
        @OptionGroup var cache: PipelineOptions.Cache
        @OptionGroup var maxRetries: PipelineOptions.MaxRetries
        @OptionGroup var idfModel: PipelineOptions.IDFModel
        @OptionGroup var batchSize: PipelineOptions.BatchSize

        func run() async throws {
            JSONLogHandler.bootstrap(level: .error)
            let thresholds = try ExperimentCommand.list(values, "values", expected: "thresholds from 0 to 1") {
                Double($0).flatMap { (0...1).contains($0) ? $0 : nil }
            }
            guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
            guard budget > 0 else { throw ValidationError("--budget must be a positive number of calls, got \(budget)") }
            let parallelRuns = parallel ?? (realTime ? 1 : ProcessInfo.processInfo.activeProcessorCount)
            guard parallelRuns >= 1 else { throw ValidationError("--parallel must be at least 1, got \(parallelRuns)") }
            let questions = try input.loadQuestions()
            let base = try input.pipelineRun(settings: try PipelineOptions.settings([cache, maxRetries, idfModel, batchSize]), questions: questions)
            let seedList = (0..<seeds).map { input.traffic.seed &+ UInt64($0) }
            let mode = realTime ? "real time (not reproducible)" : "simulated on a virtual clock (reproducible by seed)"
            print("threshold experiment: \(thresholds.count) thresholds × \(seeds) seeds of \(input.traffic.total) questions from "
                + "\(input.sourceDescription), \(base.arrival), \(mode)")
            print("threshold  final score ± 95%   accepted% ± 95%   calls/LLM-q ± 95%   regen%  forced%  first")
            let simulated = !realTime
            let firstScoresBox = LockedValue<[Double]>([])
            let points = try await ExperimentCommand.stoppable(kind: "threshold", directory: input.outputDirectory, of: thresholds.count,
                                                               csv: { ThresholdExperiment.csv($0, budget: budget) }) { record in
                let (points, firsts) = try await ThresholdExperiment.run(base, thresholds: thresholds, seeds: seedList,
                                                                         simulated: simulated, parallel: parallelRuns) { p in
                    record(p)
                    print(String(format: "%9.2f  %11.4f %6.4f   %9.1f %5.1f   %11.3f %5.3f   %6.1f  %7.1f  %.4f", p.threshold,
                                 p.meanFinalScore, p.finalScoreHalfWidth, p.acceptedShare * 100, p.acceptedHalfWidth * 100,
                                 p.callsPerAnswered, p.callsHalfWidth, p.regenerationRate * 100, p.forcedRate * 100, p.meanFirstScore))
                }
                firstScoresBox.withLock { $0 = firsts }
                return points
            }
            let firstScores = firstScoresBox.withLock { $0 }
            let charts = ThresholdExperiment.charts(points, budget: budget)
            let suggestion = ThresholdExperiment.suggestion(points, firstScores: firstScores, budget: budget)
            var page = HTMLPage(title: "Score threshold experiment")
            page.paragraph("\(input.traffic.total) questions per run from \(input.sourceDescription), \(base.arrival), seeds "
                + "\(seedList.first!)...\(seedList.last!), \(mode).")
            for chart in charts { page.chart(chart) }
            for line in suggestion.split(separator: "\n") { page.paragraph(String(line)) }
            let files = try ExperimentCommand.writeFiles(kind: "threshold", directory: input.outputDirectory,
                                                         csv: ThresholdExperiment.csv(points, budget: budget), charts: charts, page: page)
            print(suggestion)
            print(files)
        }
    }

    struct Cache: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hit rate and LLM calls per cache policy, size and TTL, under each popularity law and arrival process.",
            discussion: """
                Each combination runs once per seed (--seeds, 5 by default) and is reported as the mean with its 95 % interval; a policy is called best only when its interval lies above the next one's. By default the runs are simulated: the same pipeline code stepped on a virtual clock (arrivals, LLM latency, backoff, hops and TTLs in virtual time), so the same command and seed give the same CSV on any machine and under any load, as fast as the CPU allows. --real-time runs the pipeline live instead, replayed --speedup times faster: a load test of this machine, whose hit rates depend on how busy it is.
                """)

        @Option(name: .long, help: "Policies, comma-separated (lru, lfu, fifo).")
        var policies: String = "lru,lfu,fifo"

        @Option(name: .long, help: "Cache sizes in entries, comma-separated (default: smaller than the 360 questions of the bundled sample, so the policy matters).")
        var sizes: String = "32,128"

        @Option(name: .long, help: "TTLs in seconds of the replayed deployment, comma-separated (0 = no expiry).")
        var ttls: String = "0,10"

        @Option(name: .long, help: "Popularity laws, comma-separated: zipf (exponent --zipf, 1.1 if 0), uniform. Default: zipf, or uniform with --zipf 0.")
        var popularity: String?

        @Option(name: .long, help: "Arrival processes, comma-separated: constant, poisson, uniform, each at --mean-rate. Default: --distribution/--rate when given, else constant.")
        var arrivals: String?

        @Option(name: .customLong("mean-rate"), help: "Mean questions per second of the replayed traffic, for every process in --arrivals.")
        var meanRate: Double = 2000

        @Option(name: .long, help: "Runs per combination, with seeds --seed, --seed + 1, ...")
        var seeds: Int = 5

        @Flag(name: .customLong("real-time"), help: "Run the pipeline live (replayed --speedup times faster) instead of on the virtual clock: a load test, not reproducible.")
        var realTime = false

        @Option(name: .long, help: "With --real-time: how many times faster than the replayed deployment each run goes.")
        var speedup: Double = 20

        @Option(name: .customLong("hop-ms"), help: "Simulated runs: virtual milliseconds from a message's publication to its reading by the next service.")
        var hopMilliseconds: Double = 1

        @Option(name: .long, help: "Runs at a time (each has its own pipeline, store and cache). Default: the number of cores when simulated, 1 in real time.")
        var parallel: Int?

        @Option(name: .customLong("llm-latency-ms"), help: "Median latency of the offline LLM in the replayed deployment (default 0).")
        var llmLatency: Double = 0

        @OptionGroup var input: RunOptions
        @OptionGroup var kafka: PipelineOptions.Kafka
        @OptionGroup var partitions: PipelineOptions.Partitions
        @OptionGroup var threshold: PipelineOptions.Threshold
        @OptionGroup var maxRetries: PipelineOptions.MaxRetries
        @OptionGroup var idfModel: PipelineOptions.IDFModel
        @OptionGroup var batchSize: PipelineOptions.BatchSize

        func scenarios(count: Int) throws -> [CacheExperiment.Scenario] {
            let laws = try popularity.map {
                try ExperimentCommand.list($0, "popularity", expected: "zipf, uniform") { ["zipf", "uniform"].contains($0) ? $0 : nil }
            } ?? [input.traffic.zipf > 0 ? "zipf" : "uniform"]
            guard meanRate > 0, meanRate.isFinite else { throw ValidationError("--mean-rate must be a positive rate per second, got \(meanRate)") }
            let processes: [ArrivalProcess]
            if let arrivals {
                processes = try ExperimentCommand.list(arrivals, "arrivals", expected: "constant, poisson, uniform") { kind in
                    switch kind {
                    case "constant": return ArrivalProcess.constant(rate: meanRate)
                    case "poisson": return .poisson(lambda: meanRate)
                    case "uniform": return .uniform(low: 0, high: 2 / meanRate)
                    default: return nil
                    }
                }
            } else if input.traffic.rate != nil || input.traffic.distribution != nil {
                processes = [input.traffic.arrival]
            } else {
                processes = [.constant(rate: meanRate)]
            }
            if processes.contains(.constant(rate: 0)) {
                throw ValidationError("the cache experiment replays a paced deployment: give --rate above 0, or --arrivals")
            }
            var scenarios: [CacheExperiment.Scenario] = []
            for law in laws {
                let model: Popularity
                do {
                    model = law == "uniform" ? .uniform(count: count) : try .zipf(count: count, exponent: input.traffic.zipf > 0 ? input.traffic.zipf : 1.1)
                    for process in processes { scenarios.append(.init(popularity: model, arrival: try process.validated())) }
                } catch let error as ConfigurationError {
                    throw ValidationError(error.description)
                }
            }
            return scenarios
        }

        func run() async throws {
            JSONLogHandler.bootstrap(level: .error)
            let policyList = try ExperimentCommand.list(policies, "policies", expected: "lru, lfu, fifo") { CachePolicy(rawValue: $0.lowercased()) }
            let sizeList = try ExperimentCommand.list(sizes, "sizes", expected: "positive entry counts") { Int($0).flatMap { $0 > 0 ? $0 : nil } }
            let ttlList = try ExperimentCommand.list(ttls, "ttls", expected: "seconds, 0 or more") { Int($0).flatMap { $0 >= 0 ? $0 : nil } }
            guard speedup > 0, speedup.isFinite else { throw ValidationError("--speedup must be a positive factor, got \(speedup)") }
            guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
            guard hopMilliseconds >= 0, hopMilliseconds.isFinite else { throw ValidationError("--hop-ms must be 0 or more, got \(hopMilliseconds)") }
            let parallelRuns = parallel ?? (realTime ? 1 : ProcessInfo.processInfo.activeProcessorCount)
            guard parallelRuns >= 1 else { throw ValidationError("--parallel must be at least 1, got \(parallelRuns)") }
            guard llmLatency >= 0 else { throw ValidationError("--llm-latency-ms must be 0 or more, got \(llmLatency)") }
            var settings = try PipelineOptions.settings([kafka, partitions, threshold, maxRetries, idfModel, batchSize])
            settings.llm.latencyMedianMilliseconds = llmLatency
            let questions = try input.loadQuestions()
            let scenarioList = try scenarios(count: questions.count)
            let base = try input.pipelineRun(settings: settings, questions: questions)
            let seedList = (0..<seeds).map { input.traffic.seed &+ UInt64($0) }
            let mode: CacheExperiment.Mode
            let modeDescription: String
            if realTime {
                let backend = try await ExperimentCommand.backend(settings: settings)
                mode = .realTime(speedup: speedup, backend: backend)
                modeDescription = "real time (a load test of this machine, not reproducible), speed-up \(speedup), \(backend.description)"
            } else {
                guard kafka.kafka == nil else { throw ValidationError("--kafka needs --real-time: simulated runs use no broker") }
                mode = .simulated(hopMicroseconds: Int64((hopMilliseconds * 1000).rounded()))
                modeDescription = "simulated on a virtual clock (reproducible by seed), hop \(hopMilliseconds) ms"
            }
            let combinations = scenarioList.count * policyList.count * sizeList.count * ttlList.count
            print("cache experiment: \(combinations) combinations × \(seeds) seeds (\(seedList.first!)...\(seedList.last!)) of "
                + "\(input.traffic.total) questions from \(input.sourceDescription) (\(questions.count) distinct), \(scenarioList.count) scenario(s), "
                + "LLM latency \(llmLatency) ms, \(modeDescription)")
            print("popularity  arrival          policy   size   ttl   hit %  ± 95%   calls/q  ± 95%   p50 ms   p99 ms" + (realTime ? "   pace" : ""))
            let clock = ContinuousClock()
            let started = clock.now
            let live = realTime
            let prefix = "exp_cache_\(RunFiles.stamp())_"
            let points = try await ExperimentCommand.stoppable(kind: "cache", directory: input.outputDirectory, of: combinations,
                                                               csv: CacheExperiment.csv) { record in
              try await CacheExperiment.run(
                base, scenarios: scenarioList, policies: policyList, sizes: sizeList, ttls: ttlList, seeds: seedList, mode: mode,
                parallel: parallelRuns, prefix: prefix
              ) { p in
                record(p)
                print(ExperimentCommand.padded(p.popularity, 11) + " " + ExperimentCommand.padded(p.arrival, 16) + " "
                    + ExperimentCommand.padded(p.policy.rawValue, 6)
                    + String(format: " %6d %5d  %5.1f  %5.1f  %8.3f  %5.3f  %7.1f  %7.1f", p.size, p.ttl, p.hitRate * 100,
                             p.hitRateHalfWidth * 100, p.llmCallsPerQuestion, p.llmCallsHalfWidth, p.p50, p.p99)
                    + (live ? String(format: "  %5.2f", p.pace) : ""))
              }
            }
            let elapsed = clock.now - started
            let charts = CacheExperiment.charts(points)
            let conclusions = CacheExperiment.conclusions(points)
            var page = HTMLPage(title: "Cache experiment")
            page.paragraph("\(input.traffic.total) questions per run from \(input.sourceDescription) (\(questions.count) distinct), "
                + "\(seeds) seeds per combination, \(modeDescription).")
            page.paragraph(realTime ? CacheExperiment.explanation : CacheExperiment.simulatedExplanation)
            for chart in charts { page.chart(chart) }
            for line in conclusions { page.paragraph(line) }
            let files = try ExperimentCommand.writeFiles(kind: "cache", directory: input.outputDirectory,
                                                         csv: CacheExperiment.csv(points), charts: charts, page: page)
            for line in conclusions { print(line) }
            let behind = points.filter { !$0.simulated && $0.pace < 0.9 }.count
            if behind > 0 {
                printError("warning: \(behind) of \(combinations) combinations could not keep up with the compressed schedule (pace under 0.9): "
                    + "their first answers came later than live and their hit rates are too low; lower --speedup")
            }
            printError("\(combinations * seeds) runs in \(String(format: "%.1f", ExperimentCommand.seconds(elapsed))) s")
            print(files)
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Share answered and failed, LLM calls and added latency per LLM error rate and retry strategy.",
            discussion: """
                The offline model fails each call with an overload error (--overload-rates) or a quota error (--quota-rates); every strategy (--retries in place × --backoff-ms × --reissues from llm_errors) runs once per seed (--seeds, 5 by default) on a virtual clock, so the same command and seed give the same CSV on any machine. A strategy is called best only when its 95 % interval of the share answered lies above the next one's.
                """)

        @Option(name: .customLong("overload-rates"), help: "Shares of LLM calls failing with an overload error, comma-separated.")
        var overloadRates: String = "0.1,0.3,0.6"

        @Option(name: .customLong("quota-rates"), help: "Shares of LLM calls failing with a quota error, comma-separated.")
        var quotaRates: String = "0,0.3"

        @Option(name: .long, help: "Retries in place after a failed call (LLM_RETRIES), comma-separated.")
        var retries: String = "0,1,3"

        @Option(name: .customLong("backoff-ms"), help: "First backoff ceiling of the retries in place in ms (LLM_BACKOFF_BASE_MS), comma-separated.")
        var backoff: String = "100"

        @Option(name: .long, help: "Re-issues of a call that still fails, from llm_errors (LLM_ERROR_RETRIES), comma-separated.")
        var reissues: String = "0,2"

        @Option(name: .long, help: "Runs per combination, with seeds --seed, --seed + 1, ...")
        var seeds: Int = 5

        @Option(name: .customLong("hop-ms"), help: "Virtual milliseconds from a message's publication to its reading by the next service.")
        var hopMilliseconds: Double = 1

        @Option(name: .long, help: "Runs at a time. Default: the number of cores.")
        var parallel: Int?

        @OptionGroup var input: RunOptions
        @OptionGroup var cache: PipelineOptions.Cache
        @OptionGroup var threshold: PipelineOptions.Threshold
        @OptionGroup var maxRetries: PipelineOptions.MaxRetries
        @OptionGroup var idfModel: PipelineOptions.IDFModel

        func run() async throws {
            JSONLogHandler.bootstrap(level: .error)
            let rate = { (text: String) -> Double? in Double(text).flatMap { (0...1).contains($0) ? $0 : nil } }
            let overloads = try ExperimentCommand.list(overloadRates, "overload-rates", expected: "shares from 0 to 1", rate)
            let quotas = try ExperimentCommand.list(quotaRates, "quota-rates", expected: "shares from 0 to 1", rate)
            let count = { (text: String) -> Int? in Int(text).flatMap { (0...100).contains($0) ? $0 : nil } }
            let retryList = try ExperimentCommand.list(retries, "retries", expected: "counts from 0 to 100", count)
            let backoffList = try ExperimentCommand.list(backoff, "backoff-ms", expected: "milliseconds, 0 or more") {
                Double($0).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil }
            }
            let reissueList = try ExperimentCommand.list(reissues, "reissues", expected: "counts from 0 to 100", count)
            guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
            guard hopMilliseconds >= 0, hopMilliseconds.isFinite else { throw ValidationError("--hop-ms must be 0 or more, got \(hopMilliseconds)") }
            let parallelRuns = parallel ?? ProcessInfo.processInfo.activeProcessorCount
            guard parallelRuns >= 1 else { throw ValidationError("--parallel must be at least 1, got \(parallelRuns)") }
            let strategies = retryList.flatMap { retry in
                backoffList.flatMap { backoff in
                    reissueList.map { RetryExperiment.Strategy(retries: retry, backoffMilliseconds: backoff, reissues: $0) }
                }
            }
            let pairs = overloads.flatMap { o in quotas.filter { o + $0 <= 1 }.map { _ in o } }.count
            guard pairs > 0 else { throw ValidationError("no overload and quota rate pair adds up to 1 or less") }
            let questions = try input.loadQuestions()
            let base = try input.pipelineRun(settings: try PipelineOptions.settings([cache, threshold, maxRetries, idfModel]), questions: questions)
            let seedList = (0..<seeds).map { input.traffic.seed &+ UInt64($0) }
            let combinations = pairs * strategies.count
            let description = "\(combinations) combinations × \(seeds) seeds (\(seedList.first!)...\(seedList.last!)) of "
                + "\(input.traffic.total) questions from \(input.sourceDescription), \(base.arrival), simulated on a virtual clock "
                + "(reproducible by seed), hop \(hopMilliseconds) ms"
            print("retry experiment: " + description)
            print("overload  quota  retries  backoff ms  re-issues   answered% ± 95%   failed% ± 95%   calls/asking ± 95%  added ms ± 95%")
            let clock = ContinuousClock()
            let started = clock.now
            let points = try await ExperimentCommand.stoppable(kind: "retry", directory: input.outputDirectory, of: combinations,
                                                               csv: RetryExperiment.csv) { record in
                try await RetryExperiment.run(base, overloadRates: overloads, quotaRates: quotas, strategies: strategies,
                                              seeds: seedList, hopMicroseconds: Int64((hopMilliseconds * 1000).rounded()),
                                              parallel: parallelRuns) { p in
                    record(p)
                    print(String(format: "%7.0f%%  %4.0f%%  %7d  %10.1f  %9d   %9.1f %5.1f   %7.1f %5.1f   %11.3f %5.3f   %8.1f %5.1f",
                                 p.overloadRate * 100, p.quotaRate * 100, p.strategy.retries, p.strategy.backoffMilliseconds,
                                 p.strategy.reissues, p.answered.mean * 100, p.answered.halfWidth * 100, p.failed.mean * 100,
                                 p.failed.halfWidth * 100, p.callsPerAsking.mean, p.callsPerAsking.halfWidth,
                                 p.addedLatencyMilliseconds.mean, p.addedLatencyMilliseconds.halfWidth))
                }
            }
            let charts = RetryExperiment.charts(points)
            let conclusions = RetryExperiment.conclusions(points)
            var page = HTMLPage(title: "Retry strategy experiment")
            page.paragraph(description + ".")
            page.paragraph(RetryExperiment.explanation)
            page.table(["overload", "quota", "retries", "backoff ms", "re-issues", "answered %", "failed %", "LLM calls per asking",
                        "added latency ms"], points.map { p in
                [String(format: "%.0f %%", p.overloadRate * 100), String(format: "%.0f %%", p.quotaRate * 100), String(p.strategy.retries),
                 String(format: "%.1f", p.strategy.backoffMilliseconds), String(p.strategy.reissues),
                 String(format: "%.1f ± %.1f", p.answered.mean * 100, p.answered.halfWidth * 100),
                 String(format: "%.1f ± %.1f", p.failed.mean * 100, p.failed.halfWidth * 100),
                 String(format: "%.3f ± %.3f", p.callsPerAsking.mean, p.callsPerAsking.halfWidth),
                 String(format: "%.3f ± %.3f", p.addedLatencyMilliseconds.mean, p.addedLatencyMilliseconds.halfWidth)]
            })
            for chart in charts { page.chart(chart) }
            page.paragraph(RetryExperiment.strategyKey(points))
            for line in conclusions { page.paragraph(line) }
            let files = try ExperimentCommand.writeFiles(kind: "retry", directory: input.outputDirectory,
                                                         csv: RetryExperiment.csv(points), charts: charts, page: page)
            for line in conclusions { print(line) }
            printError("\((combinations + 1) * seeds) runs in \(String(format: "%.1f", ExperimentCommand.seconds(clock.now - started))) s")
            print(files)
        }
    }

    struct Regeneration: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score gained per regeneration attempt and its cost in LLM calls, per threshold and MAX_RETRIES.",
            discussion: """
                Each threshold × MAX_RETRIES value runs once per seed (--seeds, 5 by default) on a virtual clock; every answer the score service scores is recorded by chain and attempt. Per attempt it reports the mean score gained over the previous attempt (on the chains that made it), the share of chains that make it and the LLM calls it takes per chain. A gain is stated only when its 95 % interval excludes zero.
                """)

        @Option(name: .long, help: "Score thresholds, comma-separated.")
        var thresholds: String = "0.5,0.65"

        @Option(name: .customLong("max-retries-values"), help: "MAX_RETRIES values (attempts per chain), comma-separated.")
        var maxRetriesValues: String = "3,5"

        @Option(name: .long, help: "Runs per setting, with seeds --seed, --seed + 1, ...")
        var seeds: Int = 5

        @Option(name: .customLong("hop-ms"), help: "Virtual milliseconds from a message's publication to its reading by the next service.")
        var hopMilliseconds: Double = 1

        @Option(name: .long, help: "Runs at a time. Default: the number of cores.")
        var parallel: Int?

        @OptionGroup var input: RunOptions
        @OptionGroup var cache: PipelineOptions.Cache
        @OptionGroup var idfModel: PipelineOptions.IDFModel

        func run() async throws {
            JSONLogHandler.bootstrap(level: .error)
            let thresholdList = try ExperimentCommand.list(thresholds, "thresholds", expected: "thresholds from 0 to 1") {
                Double($0).flatMap { (0...1).contains($0) ? $0 : nil }
            }
            let capList = try ExperimentCommand.list(maxRetriesValues, "max-retries-values", expected: "attempt counts from 2 to 100") {
                Int($0).flatMap { (2...100).contains($0) ? $0 : nil }
            }
            guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
            guard hopMilliseconds >= 0, hopMilliseconds.isFinite else { throw ValidationError("--hop-ms must be 0 or more, got \(hopMilliseconds)") }
            let parallelRuns = parallel ?? ProcessInfo.processInfo.activeProcessorCount
            guard parallelRuns >= 1 else { throw ValidationError("--parallel must be at least 1, got \(parallelRuns)") }
            let questions = try input.loadQuestions()
            let base = try input.pipelineRun(settings: try PipelineOptions.settings([cache, idfModel]), questions: questions)
            let seedList = (0..<seeds).map { input.traffic.seed &+ UInt64($0) }
            let description = "\(thresholdList.count * capList.count) settings × \(seeds) seeds (\(seedList.first!)...\(seedList.last!)) of "
                + "\(input.traffic.total) questions from \(input.sourceDescription), \(base.arrival), simulated on a virtual clock "
                + "(reproducible by seed)"
            print("regeneration experiment: " + description)
            print("threshold  MAX_RETRIES  attempt   reached% ± 95%   gain ± 95%       added/chain ± 95%   calls/chain ± 95%")
            let points = try await ExperimentCommand.stoppable(kind: "regeneration", directory: input.outputDirectory,
                                                               of: thresholdList.count * capList.count,
                                                               csv: { (settings: [[RegenerationExperiment.Point]]) in
                                                                   RegenerationExperiment.csv(settings.flatMap { $0 }) }) { record in
                let points = try await RegenerationExperiment.run(base, thresholds: thresholdList, maxRetries: capList, seeds: seedList,
                                                                  hopMicroseconds: Int64((hopMilliseconds * 1000).rounded()),
                                                                  parallel: parallelRuns) { setting in
                    record(setting)
                    for p in setting {
                        print(String(format: "%9.2f  %11d  %7d   %8.1f %5.1f   %+7.4f %6.4f   %+9.4f %6.4f   %9.3f %5.3f", p.threshold,
                                     p.maxRetries, p.attempt, p.reached.mean * 100, p.reached.halfWidth * 100, p.gain.mean,
                                     p.gain.halfWidth, p.gainPerChain.mean, p.gainPerChain.halfWidth, p.callsPerChain.mean,
                                     p.callsPerChain.halfWidth))
                    }
                }
                return [points]
            }.flatMap { $0 }
            let charts = RegenerationExperiment.charts(points)
            let conclusions = RegenerationExperiment.conclusions(points)
            var page = HTMLPage(title: "Regeneration experiment")
            page.paragraph(description + ".")
            page.paragraph(RegenerationExperiment.explanation)
            page.table(["threshold", "MAX_RETRIES", "attempt", "chains reaching it %", "score gain", "score added per chain",
                        "LLM calls per chain"], points.map { p in
                [String(format: "%.2f", p.threshold), String(p.maxRetries), String(p.attempt),
                 String(format: "%.1f ± %.1f", p.reached.mean * 100, p.reached.halfWidth * 100),
                 String(format: "%+.4f ± %.4f", p.gain.mean, p.gain.halfWidth),
                 String(format: "%+.4f ± %.4f", p.gainPerChain.mean, p.gainPerChain.halfWidth),
                 String(format: "%.3f ± %.3f", p.callsPerChain.mean, p.callsPerChain.halfWidth)]
            })
            for chart in charts { page.chart(chart) }
            for line in conclusions { page.paragraph(line) }
            let files = try ExperimentCommand.writeFiles(kind: "regeneration", directory: input.outputDirectory,
                                                         csv: RegenerationExperiment.csv(points), charts: charts, page: page)
            for line in conclusions { print(line) }
            print(files)
        }
    }
}

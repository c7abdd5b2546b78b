import ArgumentParser
import Foundation
import Logging
import Services

struct ExperimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment", abstract: "Run the embedded pipeline once per setting and compare.",
        subcommands: [Threshold.self, Cache.self])

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func list<T>(_ text: String, _ name: String, _ parse: (String) -> T?) throws -> [T] {
        let values = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let parsed = values.compactMap(parse)
        guard !values.isEmpty, parsed.count == values.count else { throw ValidationError("--\(name): cannot read \(text)") }
        return parsed
    }

    struct Threshold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Regeneration rate, LLM calls and scores per score threshold, over the same question stream.")

        @Option(name: .long, help: "Thresholds to try, comma-separated.")
        var values: String = "0.3,0.4,0.5,0.6,0.65,0.7"

        @Option(name: .long, help: "LLM calls per question the suggestion must stay within.")
        var budget: Double = 2.0

        @OptionGroup var input: RunOptions
        @OptionGroup var options: PipelineOptions

        func run() async throws {
            JSONLogHandler.bootstrap(level: .error)
            let thresholds = try ExperimentCommand.list(values, "values") { Double($0) }.filter { (0...1).contains($0) }
            let questions = try input.loadQuestions()
            let base = try input.pipelineRun(settings: try options.settings(), questions: questions)
            print("threshold experiment: \(thresholds.count) runs of \(input.total) questions from \(input.sourceDescription), \(base.arrival)")
            print("threshold  regen%  calls/q  first   final   +improve  forced%")
            let (points, firstScores) = try await ThresholdExperiment.run(base, thresholds: thresholds) { p in
                print(String(format: "%9.2f  %6.1f  %7.3f  %.4f  %.4f  %+8.4f  %6.1f", p.threshold, p.regenerationRate * 100,
                             p.llmCallsPerQuestion, p.meanFirstScore, p.meanFinalScore, p.improvement, p.forcedRate * 100))
            }
            let stem = (input.outputDirectory as NSString).appendingPathComponent("experiment_threshold_\(RunFiles.stamp())")
            try ExperimentCommand.write(ThresholdExperiment.csv(points), to: stem + ".csv")
            let charts = ThresholdExperiment.charts(points)
            try ExperimentCommand.write(charts[0].render(), to: stem + ".svg")
            let suggestion = ThresholdExperiment.suggestion(points, firstScores: firstScores, budget: budget)
            var page = HTMLPage(title: "Score threshold experiment")
            page.paragraph("\(input.total) questions per threshold from \(input.sourceDescription), \(base.arrival), seed \(input.seed).")
            for chart in charts { page.chart(chart) }
            for line in suggestion.split(separator: "\n") { page.paragraph(String(line)) }
            try ExperimentCommand.write(page.render(), to: stem + ".html")
            print(suggestion)
            print("files: \(stem).csv, \(stem).svg, \(stem).html")
        }
    }

    struct Cache: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hit rate and latency per cache policy, size and TTL, under Zipf popularity.")

        @Option(name: .long, help: "Policies, comma-separated (lru, lfu, fifo).")
        var policies: String = "lru,lfu,fifo"

        @Option(name: .long, help: "Cache sizes, comma-separated.")
        var sizes: String = "64,256,1024"

        @Option(name: .long, help: "TTLs in seconds, comma-separated (0 = no expiry).")
        var ttls: String = "0,60"

        @Option(name: .customLong("llm-latency-ms"), help: "Median latency of the offline LLM (default 0).")
        var llmLatency: Double = 0

        @OptionGroup var input: RunOptions
        @OptionGroup var options: PipelineOptions

        func run() async throws {
            JSONLogHandler.bootstrap(level: .error)
            let policyList = try ExperimentCommand.list(policies, "policies") { CachePolicy(rawValue: $0.lowercased()) }
            let sizeList = try ExperimentCommand.list(sizes, "sizes") { Int($0) }.filter { $0 > 0 }
            let ttlList = try ExperimentCommand.list(ttls, "ttls") { Int($0) }.filter { $0 >= 0 }
            var settings = try options.settings()
            settings.llm.latencyMedianMilliseconds = llmLatency
            let questions = try input.loadQuestions()
            var base = try input.pipelineRun(settings: settings, questions: questions)
            // As fast as possible, every repeat is asked before its first answer is decided and
            // nothing can hit; a steady rate lets the cache learn, as in a live deployment.
            if input.rate == nil && input.distribution == nil { base.arrival = .constant(rate: 2000) }
            print("cache experiment: \(policyList.count * sizeList.count * ttlList.count) runs of \(input.total) questions from "
                + "\(input.sourceDescription) (\(questions.count) distinct), zipf \(input.zipf), \(base.arrival), LLM latency \(llmLatency) ms")
            print("policy   size   ttl   hit%   calls/q   p50 ms   p99 ms")
            let points = try await CacheExperiment.run(base, policies: policyList, sizes: sizeList, ttls: ttlList) { p in
                print(String(format: "%-6@ %6d %5d  %5.1f  %8.3f  %7.1f  %7.1f", p.policy.rawValue as NSString, p.size, p.ttl,
                             p.hitRate * 100, p.llmCallsPerQuestion, p.p50, p.p99))
            }
            let stem = (input.outputDirectory as NSString).appendingPathComponent("experiment_cache_\(RunFiles.stamp())")
            try ExperimentCommand.write(CacheExperiment.csv(points), to: stem + ".csv")
            let charts = CacheExperiment.charts(points)
            try ExperimentCommand.write(charts[0].render(), to: stem + ".svg")
            var page = HTMLPage(title: "Cache experiment")
            page.paragraph("\(input.total) questions per combination from \(input.sourceDescription), zipf \(input.zipf), \(base.arrival).")
            for chart in charts { page.chart(chart) }
            try ExperimentCommand.write(page.render(), to: stem + ".html")
            if let best = points.max(by: { $0.hitRate < $1.hitRate }) {
                print(String(format: "best hit rate: %@ size %d ttl %d (%.1f%%)", best.policy.rawValue as NSString, best.size, best.ttl,
                             best.hitRate * 100))
            }
            print("files: \(stem).csv, \(stem).svg, \(stem).html")
        }
    }
}

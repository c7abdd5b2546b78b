import Foundation
import Generator
import Observability
import VeredictoCore

/// The HTML report of the latest run in `data_collected/`: traffic over time, latency CDF and
/// percentiles, score histograms of the first and the final answer, and the charts of the latest
/// threshold, cache, latency, scale, retry and regeneration experiments when there are any. One self-contained file (inline SVG).
public enum RunReport {
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// The newest entry of `directory` whose name starts with `prefix` (names sort by time).
    static func latest(in directory: String, prefix: String, suffix: String = "") -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) && !$0.contains(incompleteMark) }.sorted().last
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    /// In the name of an experiment's files written when a signal stopped it before every run was done.
    public static let incompleteMark = "-incomplete"

    /// A line for each experiment file of `directory` that a signal cut short (the report skips them).
    public static func skippedExperiments(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("experiment_") && $0.hasSuffix(".csv") && $0.contains(incompleteMark) }.sorted()
            .map { "skipping \($0): incomplete (stopped before every run was done)" }
    }

    /// The newest run of `directory` that finished, and a line for each newer one skipped: stopped
    /// early (its metrics.json says `completed: false`) or without a readable metrics.json.
    public static func latestCompleteRun(in directory: String) -> (run: String?, skipped: [String]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix("run_") }.sorted()
        var skipped: [String] = []
        for name in names.reversed() {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: (path as NSString).appendingPathComponent(RunFiles.metricsJSON))),
                  let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                skipped.append("skipping \(name): no readable \(RunFiles.metricsJSON) (the run was killed before writing it)")
                continue
            }
            if let report = document["report"] as? [String: Any], (report["completed"] as? Bool) == false {
                skipped.append("skipping \(name): incomplete (stopped before every question was decided)")
                continue
            }
            return (path, skipped)
        }
        return (nil, skipped)
    }

    /// The page for the latest complete run under `directory` (see `latestCompleteRun`).
    public static func build(directory: String) throws -> String {
        guard let run = latestCompleteRun(in: directory).run else {
            throw Missing(description: "no complete run in \(directory): start one with `veredicto run`")
        }
        var page = HTMLPage(title: "Veredicto run report: \((run as NSString).lastPathComponent)")
        let metricsData = try Data(contentsOf: URL(fileURLWithPath: (run as NSString).appendingPathComponent(RunFiles.metricsJSON)))
        let document = try JSONSerialization.jsonObject(with: metricsData) as? [String: Any] ?? [:]
        let metrics = document["metrics"] as? [String: Any] ?? [:]
        let report = document["report"] as? [String: Any] ?? [:]
        let settings = document["settings"] as? [String: Any] ?? [:]
        let llm = report["llm"] as? [String: Any] ?? [:]
        func number(_ object: [String: Any], _ key: String) -> Double { (object[key] as? NSNumber)?.doubleValue ?? 0 }

        page.heading("Summary")
        let latency = report["latency_ms"] as? [String: Any] ?? [:]
        page.table(["figure", "value"], [
            ["questions asked", String(Int(number(metrics, "asked")))],
            ["distinct questions", String(Int(number(metrics, "questions")))],
            ["accepted / forced / failed", "\(Int(number(metrics, "accepted"))) / \(Int(number(metrics, "forced"))) / \(Int(number(metrics, "failed")))"],
            ["cache hit rate", String(format: "%.1f %%", number(report, "cache_hit_rate") * 100)],
            ["mean first score / final score", String(format: "%.4f / %.4f", number(metrics, "first_score_mean"), number(metrics, "score_mean"))],
            ["LLM calls per question", String(format: "%.3f", number(report, "llm_calls_per_question"))],
            ["LLM calls made / minimum", String(format: "%.0f / %.0f", number(llm, "calls_made"), number(llm, "minimum_calls"))],
            ["LLM cost (per distinct question, per accepted answer)",
             String(format: "%.4f (%.6f, %.6f)", number(llm, "cost"), number(llm, "cost_per_question"),
                    number(llm, "cost_per_accepted_answer")) + ((llm["tokens_estimated"] as? Bool) == true ? ", estimated tokens" : "")],
            ["coalesced askings", String(Int(number(metrics["by_source"] as? [String: Any] ?? [:], "coalesced")))],
            ["throughput", String(format: "%.0f questions/s over %.2f s", number(report, "questions_per_second"), number(report, "seconds"))],
            ["settings", settings.keys.sorted().map { "\($0)=\(settings[$0]!)" }.joined(separator: ", ")],
        ])

        page.heading("Traffic")
        if let traffic = try? String(contentsOfFile: (run as NSString).appendingPathComponent("traffic.csv"), encoding: .utf8) {
            var stamps: [Int64] = []
            for line in traffic.split(separator: "\n").dropFirst() {
                if let field = line.split(separator: ",").last, let stamp = Timestamp(iso8601: String(field)) {
                    stamps.append(stamp.millisecondsSinceEpoch)
                }
            }
            stamps.sort()
            if let first = stamps.first {
                page.chart(TrafficLog.trafficChart(stamps.map { Double($0 - first) / 1000 }))
            }
        }

        page.heading("End-to-end latency (question created to stored)")
        let byPath = (report["latency_ms_by_path"] as? [[String: Any]] ?? []).map { path in
            [(path["path"] as? String ?? "?") + ((path["topics"] as? NSNumber).map { ", \($0) topics" } ?? "")]
                + [String(Int(number(path, "count")))]
                + ["mean", "p50", "p90", "p99", "max"].map { String(format: "%.1f ms", number(path, $0)) }
        }
        page.table(["path", "count", "mean", "p50", "p90", "p99", "max"], [[
            "all", String(Int(number(latency, "count"))),
        ] + ["mean", "p50", "p90", "p99", "max"].map { String(format: "%.1f ms", number(latency, $0)) }] + byPath)
        let cdf = (document["latency_cdf"] as? [[Double]] ?? []).filter { $0.count == 2 }.map { (x: $0[0], y: $0[1]) }
        if !cdf.isEmpty {
            var chart = SVGChart(title: "Latency CDF", xLabel: "end-to-end latency (ms)", yLabel: "fraction of questions",
                                 series: [.init(name: "latency", points: cdf)])
            chart.xMinimum = 0
            page.chart(chart)
        }

        page.heading("Scores of the first and the final answer")
        var first: [Double] = []
        var final: [Double] = []
        if let lines = try? String(contentsOfFile: (run as NSString).appendingPathComponent(RunFiles.resultsJSONL), encoding: .utf8) {
            for line in lines.split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      object["source"] as? String == "score" else { continue }
                if let score = (object["first_score"] as? NSNumber)?.doubleValue { first.append(score) }
                if let score = (object["score"] as? NSNumber)?.doubleValue { final.append(score) }
            }
        }
        if !first.isEmpty {
            page.chart(scoreHistogram(first: first, final: final, threshold: number(settings, "threshold")))
        }

        /// A section for the latest CSV of experiment `kind`, if one parses to any point.
        func experiment<Point>(_ kind: String, _ title: String, parse: (String) -> [Point], draw: (inout HTMLPage, [Point]) -> Void) {
            guard let path = latest(in: directory, prefix: "experiment_\(kind)_", suffix: ".csv"),
                  let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
            let points = parse(text)
            guard !points.isEmpty else { return }
            page.heading("\(title) experiment (\((path as NSString).lastPathComponent))")
            draw(&page, points)
        }
        let thresholdBudget = latest(in: directory, prefix: "experiment_threshold_", suffix: ".csv")
            .flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }.flatMap(ThresholdExperiment.budget(csv:))
        experiment("threshold", "Threshold", parse: ThresholdExperiment.parse(csv:)) { page, points in
            for chart in ThresholdExperiment.charts(points, budget: thresholdBudget) { page.chart(chart) }
            let frontier = ThresholdExperiment.efficient(points).map { String(format: "%.2f", $0.threshold) }
            page.paragraph("thresholds no other beats on both final score and LLM calls per LLM-decided asking: "
                + frontier.joined(separator: ", ") + ".")
        }
        experiment("cache", "Cache", parse: CacheExperiment.parse(csv:)) { page, points in
            for chart in CacheExperiment.charts(points) { page.chart(chart) }
            for line in CacheExperiment.conclusions(points) { page.paragraph(line) }
        }
        experiment("latency", "Latency", parse: LatencyExperiment.parse(csv:)) { page, points in
            page.table(LatencyExperiment.tablePercentiles.map(\.label), [LatencyExperiment.tablePercentiles.map {
                String(format: "%.1f ms", LatencyExperiment.milliseconds(at: $0.percentile, in: points))
            }])
            for chart in LatencyExperiment.charts(points) { page.chart(chart) }
        }
        experiment("scale", "Scale", parse: ScaleExperiment.parse(csv:)) { page, points in
            for chart in ScaleExperiment.charts(points) { page.chart(chart) }
        }
        experiment("retry", "Retry strategy", parse: RetryExperiment.parse(csv:)) { page, points in
            page.paragraph(RetryExperiment.explanation)
            for chart in RetryExperiment.charts(points) { page.chart(chart) }
            page.paragraph(RetryExperiment.strategyKey(points))
            for line in RetryExperiment.conclusions(points) { page.paragraph(line) }
        }
        experiment("regeneration", "Regeneration", parse: RegenerationExperiment.parse(csv:)) { page, points in
            page.paragraph(RegenerationExperiment.explanation)
            for chart in RegenerationExperiment.charts(points) { page.chart(chart) }
            for line in RegenerationExperiment.conclusions(points) { page.paragraph(line) }
        }
        return page.render()
    }

    /// Histograms (`bins` bins over [0, 1], their width stated on the chart) of the first and the
    /// final scores, as step lines, with the threshold as a vertical line.
    static func scoreHistogram(first: [Double], final: [Double], threshold: Double, bins binCount: Int = 20) -> SVGChart {
        func bins(_ values: [Double]) -> [(x: Double, y: Double)] {
            var counts = [Int](repeating: 0, count: binCount)
            for value in values { counts[min(binCount - 1, max(0, Int(value * Double(binCount))))] += 1 }
            var points = counts.enumerated().map { (x: Double($0.offset) / Double(binCount), y: Double($0.element)) }
            points.append((x: 1, y: Double(counts[binCount - 1])))
            return points
        }
        let width = String(format: "%g", 1 / Double(binCount))
        var chart = SVGChart(title: "Score histogram (bins of \(width))", xLabel: "TF-IDF cosine score",
                             yLabel: "questions per bin of \(width)", series: [.init(name: "first answer", points: bins(first)),
                                                                                .init(name: "final answer", points: bins(final))])
        chart.kind = .steps
        chart.integerY = true
        chart.rules = [.vertical(at: threshold, String(format: "threshold %g", threshold))]
        return chart
    }
}

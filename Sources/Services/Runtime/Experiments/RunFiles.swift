import Foundation
import Observability
import Storage
import VeredictoCore

/// The files of one run in `data_collected/run_<time>/`: `results.jsonl` (one line per
/// question), `results.csv`, and `metrics.json` (the metrics document and the run report).
public enum RunFiles {
    public static let resultsJSONL = "results.jsonl"
    public static let resultsCSV = "results.csv"
    public static let metricsJSON = "metrics.json"

    /// A name for a run directory from the current time (sortable, no colons).
    public static func stamp() -> String {
        String(Timestamp.now().iso8601.replacing(":", with: "-").replacing(".", with: "-").dropLast())
    }

    /// Writes the three files; `settings` is echoed into metrics.json as it is. With `prices`,
    /// each result and the metrics carry the `cost` of their LLM tokens.
    public static func write(_ outcome: EmbeddedRunOutcome, settings: [String: Any], prices: LLMPrices? = nil,
                             to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var jsonl: [UInt8] = []
        var csv = Array("question_id,trace_id,status,source,attempts,score,first_score,times_asked,llm_calls,regenerations,e2e_latency_ms,title\n".utf8)
        for result in outcome.results {
            let d = result.decision
            var writer = JSONWriter(capacity: 1024)
            writer.beginObject()
            result.writeFields(to: &writer, prices: prices)
            writer.field("llm_calls", result.llmCalls)
            writer.field("regenerations", result.regenerations)
            writer.endObject()
            jsonl += writer.bytes
            jsonl.append(UInt8(ascii: "\n"))
            let fields = [d.questionID, d.traceID, d.status.rawValue, d.source.rawValue, String(d.attempts), String(d.score),
                          String(d.firstScore), String(result.timesAsked), String(result.llmCalls), String(result.regenerations),
                          String(result.e2eLatencyMilliseconds), csvField(d.title)]
            csv += Array((fields.joined(separator: ",") + "\n").utf8)
        }
        try Data(jsonl).write(to: URL(fileURLWithPath: directory).appendingPathComponent(resultsJSONL))
        try Data(csv).write(to: URL(fileURLWithPath: directory).appendingPathComponent(resultsCSV))
        let json = try JSONSerialization.data(withJSONObject: document(outcome, settings: settings, prices: prices),
                                              options: [.prettyPrinted, .sortedKeys])
        try json.write(to: URL(fileURLWithPath: directory).appendingPathComponent(metricsJSON))
    }

    /// A CSV field, quoted when it holds a comma, quote or line break (quotes doubled).
    public static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    private static func latencyDocument(_ summary: LatencyRecorder.Summary) -> [String: Any] {
        ["count": Int(summary.count), "mean": summary.meanMilliseconds, "p50": summary.p50Milliseconds,
         "p90": summary.p90Milliseconds, "p99": summary.p99Milliseconds, "max": summary.maxMilliseconds]
    }

    /// The metrics.json document: the metrics, the run report, the latency CDF and the settings.
    public static func document(_ outcome: EmbeddedRunOutcome, settings: [String: Any],
                                prices: LLMPrices? = nil) -> [String: Any] {
        let m = outcome.report.metrics
        let r = outcome.report
        var metricsJSON = JSONWriter()
        metricsJSON.beginObject()
        m.writeFields(to: &metricsJSON, updatedAt: Timestamp.now().millisecondsSinceEpoch, prices: prices)
        metricsJSON.endObject()
        let metricsDocument = (try? JSONSerialization.jsonObject(with: Data(metricsJSON.bytes))) ?? [:]
        let firstScores = outcome.results.filter { $0.decision.source == .score }.map(\.decision.firstScore)
        return [
            "metrics": metricsDocument,
            "report": [
                "questions": r.questions, "seconds": r.seconds, "questions_per_second": r.questionsPerSecond,
                "latency_ms": latencyDocument(r.latency),
                "latency_ms_by_path": r.latencyByPath.map { path, summary in
                    latencyDocument(summary).merging(["path": path.description, "topics": path.topics ?? NSNull()]) { $1 }
                },
                "llm_calls_per_question": r.llmCallsPerQuestion, "cache_hit_rate": r.cacheHitRate,
                "llm": [
                    "calls_made": r.llm.callsMade, "minimum_calls": r.llm.minimumCalls,
                    "calls_per_asking": r.llm.callsPerAsking, "calls_per_distinct_question": r.llm.callsPerQuestion,
                    "prompt_tokens": r.llm.promptTokens, "completion_tokens": r.llm.completionTokens,
                    "tokens_estimated": r.llm.tokensEstimated, "cost": r.llm.cost,
                    "cost_per_question": r.llm.costPerQuestion, "cost_per_accepted_answer": r.llm.costPerAcceptedAnswer,
                ] as [String: Any],
                "dead_letters": r.deadLetters, "peak_rss_mb": r.peakResidentMegabytes, "completed": r.completed,
                "first_answers_below_threshold": firstScores.isEmpty ? 0 :
                    Double(firstScores.filter { $0 < (settings["threshold"] as? Double ?? 0.65) }.count) / Double(firstScores.count),
            ] as [String: Any],
            "latency_cdf": outcome.latencyCDF.map { [$0.x, $0.y] },
            "settings": settings,
        ]
    }

    /// The summary table printed at the end of a run; over Kafka, `hops` adds each topic's hop
    /// latency, named without `prefix`.
    public static func summary(_ outcome: EmbeddedRunOutcome, hops: HopLatencies? = nil, prefix: String = "") -> String {
        let m = outcome.report.metrics
        let r = outcome.report
        func ms(_ v: Double) -> String { String(format: "%.1f ms", v) }
        func distribution(_ latency: LatencyRecorder.Summary) -> String {
            "\(ms(latency.p50Milliseconds)) / \(ms(latency.p90Milliseconds)) / \(ms(latency.p99Milliseconds)) / \(ms(latency.maxMilliseconds))"
        }
        var rows: [(String, String)] = [
            ("questions asked", m.asked == r.questions ? "\(m.asked) (\(m.questions) distinct)"
                : "\(m.asked) (\(r.questions) measured + \(m.asked - r.questions) warm-up; \(m.questions) distinct)"),
            ("accepted", "\(m.accepted)"),
            ("forced", "\(m.forced)"),
            ("failed", "\(m.failed)"),
            ("cache hit rate", String(format: "%.1f %%", r.cacheHitRate * 100)),
            ("mean score before regeneration", String(format: "%.4f", m.firstScoreMean)),
            ("mean score after regeneration", String(format: "%.4f", m.scoreMean)),
            ("LLM calls per question", String(format: "%.3f", r.llmCallsPerQuestion)),
            ("LLM calls made / minimum", String(format: "%d / %d (%.2fx); %.3f per asking, %.2f per distinct question",
                                                r.llm.callsMade, r.llm.minimumCalls, r.llm.callsOverMinimum,
                                                r.llm.callsPerAsking, r.llm.callsPerQuestion)),
            ("LLM tokens prompt / completion", "\(r.llm.promptTokens) / \(r.llm.completionTokens)"
                + (r.llm.tokensEstimated ? " (estimated from text)" : "")),
            ("LLM cost", String(format: "%.4f; %.6f per distinct question, %.6f per accepted answer",
                                r.llm.cost, r.llm.costPerQuestion, r.llm.costPerAcceptedAnswer)
                + (r.llm.tokensEstimated ? " (estimated tokens)" : "")),
            ("coalesced askings", "\(m.bySource[.coalesced, default: 0])"),
            ("throughput", String(format: "%.0f questions/s (%.2f s)", r.questionsPerSecond, r.seconds)),
            ("latency p50 / p90 / p99 / max", distribution(r.latency)),
        ]
        if let cpu = r.cpuMicrosecondsPerQuestion, let seconds = r.processCPUSeconds {
            rows.append(("process CPU per question", String(format: "%.2f µs (%.2f s user + system)", cpu, seconds)))
            for (stage, microseconds) in r.cpuMicrosecondsPerQuestionByStage {
                rows.append(("  \(stage)", String(format: "%.2f µs", microseconds)))
            }
        }
        for (path, latency) in r.latencyByPath {
            rows.append(("  \(path.descriptionWithTopics) (\(latency.count))",
                         distribution(latency)))
        }
        if let hops {
            rows.append(("hop latency, produce to poll", "p50 / p90 / p99 / max"))
            for (topic, latency) in hops.summaries {
                let name = topic.hasPrefix(prefix) ? String(topic.dropFirst(prefix.count)) : topic
                rows.append(("  \(name) (\(latency.count))", distribution(latency)))
            }
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}

/// results.jsonl writes the fields of the MongoDB results document, dates in ISO 8601.
extension JSONWriter: ResultFieldWriter {
    package mutating func string(_ key: StaticString, _ value: String) { field(key, value) }
    package mutating func double(_ key: StaticString, _ value: Double) { field(key, value) }
    package mutating func integer(_ key: StaticString, _ value: Int) { field(key, value) }
    package mutating func bool(_ key: StaticString, _ value: Bool) { field(key, value) }
    package mutating func date(_ key: StaticString, milliseconds: Int64) {
        field(key, Timestamp(millisecondsSinceEpoch: milliseconds).iso8601)
    }
    package mutating func counts(_ key: StaticString, _ counts: [(name: String, count: Int)]) {
        self.key(key)
        beginObject()
        for (name, count) in counts {
            self.key(dynamic: name)
            integer(Int64(count))
        }
        endObject()
    }
}

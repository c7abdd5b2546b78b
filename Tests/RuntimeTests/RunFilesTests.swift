import Foundation
import Testing

@testable import Dataset
@testable import Generator
@testable import Runtime

extension EmbeddedCommandTests {
    /// `veredicto run` and `veredicto dataset synth` without a server: the files they write and
    /// whether their contents add up.
    @Suite struct RunFilesTests {
        static func temporaryDirectory() -> String {
            let path = NSTemporaryDirectory() + "veredicto-run-\(UInt64.random(in: 0...UInt64.max))"
            try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return path
        }

        static func lines(_ path: String) throws -> [String] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        }

        @Test(.timeLimit(.minutes(5)))
        func embeddedRunWritesFilesThatAddUp() async throws {
            let questions = try EmbeddedPipelineTests.sampleQuestions()
            let total = 400
            var run = PipelineRun(settings: PipelineSettings(), questions: questions, arrival: .constant(rate: 0),
                                  popularity: try Popularity.zipf(count: questions.count, exponent: 1.1), total: total)
            run.seed = 3
            let directory = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let log = try TrafficLog(directory: directory, name: "traffic")
            let outcome = try await run.collect(onSent: { log.record($0) })
            log.finish()
            try RunFiles.write(outcome, settings: ["threshold": 0.65, "total": total], to: directory)

            #expect(outcome.report.completed)
            let jsonl = try Self.lines(directory + "/results.jsonl")
            #expect(jsonl.count == outcome.report.metrics.questions)
            #expect(jsonl.count == outcome.results.count)
            var asked = 0
            var ids = Set<String>()
            for line in jsonl {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                asked += try #require(object["times_asked"] as? Int)
                ids.insert(try #require(object["question_id"] as? String))
                let status = try #require(object["status"] as? String)
                #expect(["accepted", "forced", "failed"].contains(status))
            }
            #expect(asked == total)
            #expect(ids.count == jsonl.count)
            // Results in the order of the questions: q2 before q10, whatever was asked first.
            let order = jsonl.compactMap { line -> Int? in
                guard let range = line.range(of: #""question_id":"q"#) else { return nil }
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            }
            #expect(order.count == jsonl.count)
            #expect(order == order.sorted())
            #expect(outcome.results.map(\.decision.questionID) == order.map { "q\($0)" })
            #expect(try Self.lines(directory + "/results.csv").count == jsonl.count + 1)
            #expect(try Self.lines(directory + "/traffic.csv").count == total + 1)
            let svg = try String(contentsOfFile: directory + "/traffic.svg", encoding: .utf8)
            #expect(svg.contains("<path d=\"M"))

            let metrics = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/metrics.json"))) as? [String: Any])
            let document = try #require(metrics["metrics"] as? [String: Any])
            #expect(document["asked"] as? Int == total)
            #expect(document["questions"] as? Int == jsonl.count)
            let accepted = try #require(document["accepted"] as? Int), forced = try #require(document["forced"] as? Int)
            let failed = try #require(document["failed"] as? Int)
            #expect(accepted + forced + failed == jsonl.count)
            let report = try #require(metrics["report"] as? [String: Any])
            #expect(report["questions"] as? Int == total)
            let latency = try #require(report["latency_ms"] as? [String: Any])
            #expect(latency["count"] as? Int == total)
            // Every asking in exactly one path: cache hits match the served-by-cache counts.
            let byPath = try #require(report["latency_ms_by_path"] as? [[String: Any]])
            #expect(byPath.compactMap { $0["count"] as? Int }.reduce(0, +) == total)
            let bySource = try #require(document["by_source"] as? [String: Int])
            let cachedCount = byPath.first { $0["path"] as? String == "cache" }?["count"] as? Int ?? 0
            #expect(cachedCount == bySource["cache", default: 0] + bySource["storage", default: 0])
            #expect(byPath.contains { $0["path"] as? String == "LLM, 1 attempt" && $0["topics"] as? Int == 4 })
            #expect((metrics["latency_cdf"] as? [[Double]])?.isEmpty == false)
            let summary = RunFiles.summary(outcome)
            #expect(summary.contains("cache hit rate"))
            #expect(summary.contains("latency p50 / p90 / p99 / max"))
        }

        @Test func synthesizedDatasetReadsBackRowForRow() throws {
            let directory = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let path = directory + "/synth.csv"
            #expect(try YahooCSVWriter.writeSynthetic(rows: 300, seed: 9, to: path) == 300)
            var expected = SyntheticText(seed: 9)
            let reader = try YahooCSVReader(path: path)
            var count = 0
            while let row = try reader.next() {
                #expect(row == expected.row())
                count += 1
            }
            #expect(count == 300)
            #expect(reader.badRows == 0)
            // The same seed writes the same file.
            let again = directory + "/again.csv"
            try YahooCSVWriter.writeSynthetic(rows: 300, seed: 9, to: again)
            #expect(FileManager.default.contents(atPath: path) == FileManager.default.contents(atPath: again))
        }

        @Test func awkwardFieldsAreQuotedAndEscaped() throws {
            let directory = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let path = directory + "/awkward.csv"
            let writer = try YahooCSVWriter(path: path)
            try writer.write(YahooRow(classIndex: 3, title: "Say \"hi\", then?", content: "line one\nline two\r\nthree",
                                      bestAnswer: "a, b"))
            try writer.close()
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == "\"3\",\"Say \"\"hi\"\", then?\",\"line one\\nline two\\nthree\",\"a, b\"\n")
            let row = try #require(try YahooCSVReader(path: path).next())
            #expect(row.title == "Say \"hi\", then?")
            #expect(row.content == "line one\\nline two\\nthree")
            #expect(row.bestAnswer == "a, b")
        }
    }
}

/// The tests of the embedded commands run one at a time: each runs whole pipelines, and on a
/// small machine several at once would starve the other suites' timing-sensitive pipelines.
@Suite(.serialized) struct EmbeddedCommandTests {}

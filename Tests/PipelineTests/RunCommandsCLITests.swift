import Foundation
import Testing

extension EmbeddedCommandTests {
    /// `veredicto dataset synth`, `run`, `experiment threshold` and `report` as a user runs them,
    /// one after the other in a scratch directory.
    @Suite struct RunCommandsCLITests {
        /// The `veredicto` executable, built beside the test runner.
        static var executable: URL? {
            let runner = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).standardizedFileURL
            var directory = runner.deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("veredicto")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
            return nil
        }

        static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()

        static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            let process = Process()
            guard let executable else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "veredicto beside the tests"]) }
            process.executableURL = executable
            process.arguments = arguments
            process.currentDirectoryURL = packageRoot
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
        }

        @Test(.timeLimit(.minutes(3)))
        func synthRunExperimentAndReport() throws {
            let directory = RunFilesTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }

            let synth = try Self.run(["dataset", "synth", "--rows", "120", "--out", directory + "/synth.csv", "--seed", "4"])
            #expect(synth.status == 0, "\(synth.stderr)")
            #expect(synth.stdout.contains("wrote 120 rows"))

            let run = try Self.run(["run", "--dataset", directory + "/synth.csv", "--total", "300", "--rate", "1500",
                                    "--out-dir", directory])
            #expect(run.status == 0, "\(run.stderr)")
            for label in ["questions asked", "accepted", "forced", "failed", "cache hit rate", "mean score before regeneration",
                          "mean score after regeneration", "LLM calls per question", "throughput", "latency p50 / p90 / p99 / max"] {
                #expect(run.stdout.contains(label), "\(label)")
            }
            #expect(run.stdout.contains("progress: 300/300"))  // not a terminal: plain progress lines
            #expect(!run.stdout.contains("\r"))
            let runs = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("run_") }
            #expect(runs.count == 1)
            let runDirectory = directory + "/" + (runs.first ?? "")
            for file in ["results.jsonl", "results.csv", "metrics.json", "traffic.csv", "traffic.svg"] {
                #expect(FileManager.default.fileExists(atPath: runDirectory + "/" + file), "\(file)")
            }

            let experiment = try Self.run(["experiment", "threshold", "--values", "0.4,0.65", "--total", "200",
                                           "--synthetic", "100", "--out-dir", directory])
            #expect(experiment.status == 0, "\(experiment.stderr)")
            #expect(experiment.stdout.contains("of first answers score under 0.65"))
            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(files.contains { $0.hasPrefix("experiment_threshold_") && $0.hasSuffix(".csv") })
            #expect(files.contains { $0.hasPrefix("experiment_threshold_") && $0.hasSuffix(".html") })

            let report = try Self.run(["report", "--dir", directory])
            #expect(report.status == 0, "\(report.stderr)")
            let html = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
            #expect(html.contains("Threshold experiment"))
            #expect(RunReportTests.charts(html).count == 5)
            #expect(RunReportTests.charts(html).allSatisfy(RunReportTests.hasData))

            let bad = try Self.run(["run", "--dataset", directory + "/missing.csv", "--out-dir", directory])
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("no dataset file"))
        }
    }
}

import Foundation
import Testing
import TestSupport

extension EmbeddedCommandTests {
    /// `veredicto dataset synth`, `run`, `experiment threshold` and `report` as a user runs them,
    /// one after the other in a scratch directory.
    @Suite struct RunCommandsCLITests {
        /// The `veredicto` executable, built beside the test runner.
        static var executable: URL { VeredictoExecutable.url }
        static var packageRoot: URL { VeredictoExecutable.packageRoot }

        static func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
            let outcome = try await ChildProcess.run(executable, arguments, directory: packageRoot)
            return (outcome.status, outcome.stdout, outcome.stderr)
        }

        @Test(.timeLimit(.minutes(3)))
        func synthRunExperimentAndReport() async throws {
            let directory = RunFilesTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }

            let synth = try await Self.run(["dataset", "synth", "--rows", "120", "--out", directory + "/synth.csv", "--seed", "4"])
            #expect(synth.status == 0, "\(synth.stderr)")
            #expect(synth.stdout.contains("wrote 120 rows"))

            let run = try await Self.run(["run", "--dataset", directory + "/synth.csv", "--total", "300", "--rate", "1500",
                                    "--out-dir", directory])
            #expect(run.status == 0, "\(run.stderr)")
            for label in ["questions asked", "accepted", "forced", "failed", "cache hit rate", "mean score before regeneration",
                          "mean score after regeneration", "LLM calls per question", "throughput", "latency p50 / p90 / p99 / max"] {
                #expect(run.stdout.contains(label), "\(label)")
            }
            #expect(run.stderr.contains("progress: 300/300"))  // not a terminal: plain progress lines, on stderr
            #expect(!run.stdout.contains("progress") && !run.stderr.contains("\r"))
            let runs = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("run_") }
            #expect(runs.count == 1)
            let runDirectory = directory + "/" + (runs.first ?? "")
            for file in ["results.jsonl", "results.csv", "metrics.json", "traffic.csv", "traffic.svg"] {
                #expect(FileManager.default.fileExists(atPath: runDirectory + "/" + file), "\(file)")
            }

            let experiment = try await Self.run(["experiment", "threshold", "--values", "0.4,0.65", "--total", "200",
                                           "--synthetic", "100", "--out-dir", directory])
            #expect(experiment.status == 0, "\(experiment.stderr)")
            #expect(experiment.stdout.contains("of first answers score under 0.65"))
            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(files.contains { $0.hasPrefix("experiment_threshold_") && $0.hasSuffix(".csv") })
            #expect(files.contains { $0.hasPrefix("experiment_threshold_") && $0.hasSuffix(".html") })

            let report = try await Self.run(["report", "--dir", directory])
            #expect(report.status == 0, "\(report.stderr)")
            let html = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
            #expect(html.contains("Threshold experiment"))
            #expect(RunReportTests.charts(html).count == 6)
            #expect(RunReportTests.charts(html).allSatisfy(RunReportTests.hasData))

            // --json: one JSON object on standard output, the text on standard error.
            let json = try await Self.run(["run", "--dataset", directory + "/synth.csv", "--total", "100", "--json", "--out-dir", directory + "/json"])
            #expect(json.status == 0, "\(json.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect((object?["report"] as? [String: Any])?["questions"] as? Int == 100)
            #expect(json.stderr.contains("questions asked"))

            let bad = try await Self.run(["run", "--dataset", directory + "/missing.csv", "--out-dir", directory])
            #expect(bad.status == 64)  // a usage error: the flag's value is wrong
            let version = try await Self.run(["--version"])
            #expect(version.status == 0 && version.stdout.hasPrefix("veredicto "))
            #expect(bad.stderr.contains("--dataset: no file"))
        }

        /// `experiment cache`, `latency` and `scale` as a user runs them, then `report` with
        /// their charts; a bad value of a flag is one line saying what to fix.
        @Test(.timeLimit(.minutes(3)))
        func latencyCacheAndScaleExperimentsAndReport() async throws {
            let directory = RunFilesTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let run = try await Self.run(["run", "--synthetic", "100", "--total", "200", "--rate", "2000", "--out-dir", directory])
            #expect(run.status == 0, "\(run.stderr)")

            let cache = try await Self.run(["experiment", "cache", "--policies", "lru,fifo", "--sizes", "16", "--ttls", "0",
                                      "--popularity", "zipf,uniform", "--arrivals", "constant,poisson", "--mean-rate", "500",
                                      "--seeds", "2", "--total", "200", "--synthetic", "100", "--out-dir", directory])
            #expect(cache.status == 0, "\(cache.stderr)")
            #expect(cache.stdout.contains("8 combinations × 2 seeds (42...43) of 200 questions"))
            #expect(cache.stdout.contains("simulated on a virtual clock"))
            for scenario in ["zipf:1.1    constant:500", "zipf:1.1    poisson:500", "uniform     constant:500", "uniform     poisson:500"] {
                #expect(cache.stdout.contains(scenario), "\(scenario)")
            }
            #expect(cache.stdout.contains("uniform, poisson:500, size 16, TTL 0 s: "))

            let latency = try await Self.run(["experiment", "latency", "--distribution", "poisson", "--lambda", "1000", "--total", "300",
                                        "--synthetic", "100", "--out-dir", directory])
            #expect(latency.status == 0, "\(latency.stderr)")
            #expect(latency.stdout.contains("poisson(lambda=1000/s)"))
            let lines = latency.stdout.split(separator: "\n")
            let header = try #require(lines.firstIndex { $0.contains("p50") && $0.contains("p999") && $0.contains("max") })
            #expect(lines[header + 1].split(separator: " ").compactMap { Double($0) }.count == 5)
            // Latency by path: the askings of every path add up to the questions asked.
            let pathHeader = try #require(lines.firstIndex { $0.hasPrefix("path") && $0.contains("askings") })
            let pathRows = lines[(pathHeader + 1)...].prefix { $0.contains(" topics ") || $0.hasPrefix("failed") || $0.hasPrefix("coalesced") }
            #expect(pathRows.first?.hasPrefix("cache, 2 topics") == true)
            let askings = pathRows.compactMap { row -> Int? in
                let fields = row.split(separator: " ")
                guard let label = fields.firstIndex(where: { $0 == "topics" || $0 == "failed" || $0 == "coalesced" }), label + 1 < fields.count else { return nil }
                return Int(fields[label + 1])
            }
            #expect(askings.count == pathRows.count && askings.reduce(0, +) == 300, "\(pathRows)")

            let scale = try await Self.run(["experiment", "scale", "--partitions", "2", "--instances", "1,2", "--total", "300",
                                      "--synthetic", "100", "--out-dir", directory])
            #expect(scale.status == 0, "\(scale.stderr)")
            #expect(scale.stdout.contains("partitions  instances  sustained q/s"))

            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            for kind in ["cache", "latency", "scale"] {
                for suffix in [".csv", ".svg", ".html"] {
                    #expect(files.contains { $0.hasPrefix("experiment_\(kind)_") && $0.hasSuffix(suffix) }, "\(kind)\(suffix)")
                }
            }
            let report = try await Self.run(["report", "--out-dir", directory])
            #expect(report.status == 0, "\(report.stderr)")
            let html = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
            for heading in ["Cache experiment", "Latency experiment", "Scale experiment", "Throughput vs. instances"] {
                #expect(html.contains(heading), "\(heading)")
            }
            // 3 of the run, 8 of the cache experiment (4 scenarios), 2 latency, 2 scale.
            #expect(RunReportTests.charts(html).count == 15)
            #expect(RunReportTests.charts(html).allSatisfy(RunReportTests.hasData))

            for (arguments, message) in [
                (["experiment", "cache", "--policies", "lru,mru"], "--policies: cannot read 'mru'"),
                (["experiment", "cache", "--sizes", "0"], "--sizes: cannot read '0'"),
                (["experiment", "cache", "--arrivals", "bursty"], "--arrivals: cannot read 'bursty'"),
                (["experiment", "cache", "--speedup", "0"], "--speedup must be a positive factor"),
                (["experiment", "cache", "--rate", "0"], "give --rate above 0, or --arrivals"),
                (["experiment", "scale", "--instances", "1,x"], "--instances: cannot read 'x'"),
                (["experiment", "latency", "--lambda=-1", "--distribution", "poisson"], "--lambda must be a positive rate"),
                (["run", "--threshold", "2"], "--threshold must be"),
                (["run", "--cache-policy", "mru"], "--cache-policy must be"),
            ] {
                let bad = try await Self.run(arguments + ["--out-dir", directory])
                #expect(bad.status != 0, "\(arguments)")
                #expect(bad.stderr.contains(message), "\(arguments): \(bad.stderr)")
                #expect(bad.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }.count == 1, "\(bad.stderr)")
            }
        }
    }
}

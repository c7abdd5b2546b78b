import Foundation
import Testing

/// Each command's `--help` lists exactly the flags the command honours (written out by hand
/// below, from what each command reads), and a negative number given to an option reaches it.
@Suite struct CommandHelpTests {
    static let traffic: Set = ["--total", "--distribution", "--lambda", "--low", "--high", "--rate", "--zipf", "--seed", "--max-questions"]
    /// The embedded run's input: a dataset or synthetic questions, their traffic, where the files go.
    static let input = traffic.union(["--dataset", "--synthetic", "--out-dir"])
    static let cache: Set = ["--cache-policy", "--cache-size", "--cache-ttl"]
    static let metrics: Set = ["--metrics-port", "--metrics-host"]
    static let mongo: Set = ["--mongo", "--mongo-db"]
    static let topics: Set = ["--kafka", "--topic-prefix"]

    static let expected: [[String]: Set<String>] = [
        ["run"]: input.union(cache).union(mongo)
            .union(["--kafka", "--partitions", "--threshold", "--max-retries", "--idf-model", "--batch-size", "--json"]),
        ["experiment", "latency"]: input.union(cache)
            .union(["--kafka", "--partitions", "--threshold", "--max-retries", "--idf-model", "--batch-size", "--llm-latency-ms"]),
        // The experiment sets the threshold; runs on the in-memory bus even in real time.
        ["experiment", "threshold"]: input.union(cache)
            .union(["--values", "--budget", "--seeds", "--real-time", "--parallel", "--max-retries", "--idf-model", "--batch-size"]),
        // The experiment sets the cache's policy, size and TTL.
        ["experiment", "cache"]: input.union(["--policies", "--sizes", "--ttls", "--popularity", "--arrivals", "--mean-rate", "--seeds",
                                              "--real-time", "--speedup", "--hop-ms", "--parallel", "--llm-latency-ms", "--kafka",
                                              "--partitions", "--threshold", "--max-retries", "--idf-model", "--batch-size"]),
        ["experiment", "scale"]: input.union(["--partitions", "--instances", "--kafka", "--batch-size", "--idf-model"]),
        // Always simulated: no broker, no batches.
        ["experiment", "retry"]: input.union(cache).union(["--overload-rates", "--quota-rates", "--retries", "--backoff-ms", "--reissues",
                                                           "--seeds", "--hop-ms", "--parallel", "--threshold", "--max-retries",
                                                           "--idf-model"]),
        // The experiment sets the threshold and MAX_RETRIES.
        ["experiment", "regeneration"]: input.union(cache).union(["--thresholds", "--max-retries-values", "--seeds", "--hop-ms",
                                                                  "--parallel", "--idf-model"]),
        ["report"]: ["--out-dir", "--dir"],
        ["serve", "generator"]: topics.union(mongo).union(metrics).union(traffic).union(["--dataset", "--log-dir"]),
        ["serve", "cache"]: topics.union(mongo).union(metrics).union(cache).union(["--batch-size"]),
        ["serve", "llm"]: topics.union(metrics).union(["--batch-size"]),
        ["serve", "score"]: topics.union(metrics).union(["--threshold", "--max-retries", "--idf-model", "--batch-size"]),
        ["serve", "store"]: topics.union(mongo).union(metrics).union(["--batch-size"]),
        ["health"]: ["--port", "--host", "--timeout", "--live"],
        ["topics", "create"]: topics.union(["--partitions"]),
        ["dataset", "load"]: mongo.union(["--dataset", "--max-questions"]),
        ["dataset", "synth"]: ["--rows", "--out", "--seed"],
        ["idf", "build"]: ["--dataset", "--out", "--min-df", "--level"],
        ["idf", "info"]: ["--terms"],
        ["score"]: ["--idf", "--model", "--output", "--skip-invalid", "--threads", "--kernel"],
    ]

    /// The long flags of the OPTIONS section of a help text: the lines that start an option
    /// (two spaces, then a dash), up to the gap before its description, which may name other flags.
    static func flags(inHelp text: String) -> Set<String> {
        var out: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("  -") {
            let synopsis = line.dropFirst(2).components(separatedBy: "  ")[0]
            for word in synopsis.split(whereSeparator: { $0 == " " || $0 == "," }) where word.hasPrefix("--") {
                let name = String(word.prefix { $0 != "=" && $0 != "<" })
                if name != "--help" && name != "--version" { out.insert(name) }  // every command has both
            }
        }
        return out
    }

    @Test(arguments: expected.keys.sorted { $0.joined(separator: " ") < $1.joined(separator: " ") })
    func helpListsExactlyTheFlagsTheCommandHonours(_ command: [String]) async throws {
        let result = try await CLITests.run(command + ["--help"])
        #expect(result.status == 0)
        let listed = Self.flags(inHelp: result.stdout)
        let expected = Self.expected[command]!
        #expect(listed.subtracting(expected).isEmpty, "\(command): listed but not honoured: \(listed.subtracting(expected).sorted())")
        #expect(expected.subtracting(listed).isEmpty, "\(command): honoured but not listed: \(expected.subtracting(listed).sorted())")
    }

    /// Every command with flags is in the table above, so a new command cannot skip this check.
    @Test func everyCommandIsChecked() async throws {
        var commands: [[String]] = []
        func walk(_ path: [String]) async throws {
            let help = try await CLITests.run(path + ["--help"]).stdout
            guard let section = help.components(separatedBy: "SUBCOMMANDS:\n").dropFirst().first else {
                commands.append(path)
                return
            }
            // The section ends at its first empty line.
            for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("   ") { continue }  // an abstract's second line
                guard line.hasPrefix("  "), let name = line.split(separator: " ").first, path.count < 3 else { break }
                let command = String(name)
                if command != "help" { try await walk(path + [command]) }
            }
        }
        try await walk([])
        #expect(Set(commands) == Set(Self.expected.keys), "\(Set(commands).symmetricDifference(Set(Self.expected.keys)))")
    }

    @Test func helpParsingSeesOnlyTheOptionLines() {
        let help = """
            OPTIONS:
              --kafka <kafka>         Kafka bootstrap servers (KAFKA_BOOTSTRAP_SERVERS).
              -o, --output <output>   Output file.
              --speedup <speedup>     With --real-time: how many times faster
                                      --than-this continues the description.
              --version               Show the version.
              -h, --help              Show help information.
            """
        #expect(Self.flags(inHelp: help) == ["--kafka", "--output", "--speedup"])
    }

    @Test func serveAloneNamesTheServicesAndItsOwnUsage() async throws {
        let serve = try await CLITests.run(["serve"])
        #expect(serve.status == 64)
        #expect(serve.stderr.contains("give the service to run: generator, cache, llm, score, store"), "\(serve.stderr)")
        #expect(serve.stderr.contains("Usage: veredicto serve <service>"), "\(serve.stderr)")
        #expect(!serve.stderr.contains("Usage: veredicto <subcommand>"), "\(serve.stderr)")
    }

    @Test func aNegativeNumberReachesItsOption() async throws {
        // Rejected by the option's own check, which names the value, not as a missing value.
        let total = try await CLITests.run(["run", "--total", "-5"])
        #expect(total.status == 64)
        #expect(total.stderr.contains("--total must be positive, got -5"), "\(total.stderr)")
        #expect(!total.stderr.contains("Missing value"))
        let hop = try await CLITests.run(["experiment", "cache", "--hop-ms", "-1", "--total", "10"])
        #expect(hop.status == 64)
        #expect(hop.stderr.contains("--hop-ms must be 0 or more, got -1"), "\(hop.stderr)")
        let list = try await CLITests.run(["experiment", "threshold", "--values", "-0.1,0.5"])
        #expect(list.status == 64)
        #expect(list.stderr.contains("--values: cannot read '-0.1'"), "\(list.stderr)")
        let setting = try await CLITests.run(["run", "--threshold", "-0.5"])
        #expect(setting.status == 64)
        #expect(setting.stderr.contains("--threshold"), "\(setting.stderr)")
        #expect(!setting.stderr.contains("Missing value"))
    }
}

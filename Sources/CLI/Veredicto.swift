import ArgumentParser

@main
struct Veredicto: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "veredicto",
        abstract: "Evaluate LLM answers against human best answers at high volume.",
        discussion: """
            Scores answers by TF-IDF cosine similarity with a SIMD core, and runs the pipeline
            that asks, caches, regenerates and stores them over Kafka and MongoDB.
            """,
        version: "veredicto 0.13.0",
        subcommands: [RunCommand.self, ExperimentCommand.self, ReportCommand.self, ServeCommand.self, HealthCommand.self,
                      TopicsCommand.self, DatasetCommand.self, IDFCommand.self, ScoreCommand.self]
    )

    static func main() async {
        await main(joiningNegativeValues(Array(CommandLine.arguments.dropFirst())))
    }

    /// The arguments with each negative number that follows a long option joined to it
    /// (`--hop-ms -1` becomes `--hop-ms=-1`). The parser reads a word starting with "-" as an
    /// option of its own, so without this a negative value was reported as a missing value;
    /// joined, it reaches the option, which accepts it or says what it takes. Nothing after
    /// `--` is touched.
    static func joiningNegativeValues(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                out += arguments[index...]
                break
            }
            if argument.hasPrefix("--"), !argument.contains("="), index + 1 < arguments.count,
               isNegativeNumber(arguments[index + 1]) {
                out.append(argument + "=" + arguments[index + 1])
                index += 2
                continue
            }
            out.append(argument)
            index += 1
        }
        return out
    }

    /// "-5", "-0.25", "-.5", "-1e3", or a comma-separated list that starts with one ("-0.1,0.2").
    static func isNegativeNumber(_ text: String) -> Bool {
        guard text.hasPrefix("-"), let first = text.split(separator: ",", omittingEmptySubsequences: false).first else { return false }
        return Double(first) != nil && first.count > 1
    }
}

import ArgumentParser

@main
struct Veredicto: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "veredicto",
        abstract: "Evaluate LLM answers against human best answers at high volume.",
        discussion: """
            Scores answers by TF-IDF cosine similarity with a SIMD core. Start with
            `veredicto idf build` to build a corpus IDF model from a yahoo_answers_csv file,
            then `veredicto score` to score JSONL pairs.
            """,
        subcommands: [IDFCommand.self, ScoreCommand.self]
    )
}

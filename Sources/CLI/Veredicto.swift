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
}

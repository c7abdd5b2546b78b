import ArgumentParser
import VeredictoCore

struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics", abstract: "Manage the pipeline's Kafka topics.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create every topic of the pipeline (existing ones are left alone).")

        @OptionGroup var kafka: PipelineOptions.Kafka
        @OptionGroup var topicPrefix: PipelineOptions.TopicPrefix
        @OptionGroup var partitions: PipelineOptions.Partitions

        func run() async throws {
            let settings = try PipelineOptions.settings([kafka, topicPrefix, partitions])
            let names = Topic.allCases.map { settings.topics.name($0) }
            try await settings.kafka.createTopics(names, partitions: settings.partitions)
            print("topics ready (\(settings.partitions) partitions): \(names.joined(separator: ", "))")
        }
    }
}

import ArgumentParser
import Foundation
import Dataset
import Runtime

struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset", abstract: "Load and generate datasets.", subcommands: [Load.self, Synth.self])

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a yahoo_answers_csv file into the MongoDB `questions` collection (_id q<row>).")

        @Option(name: .long, help: "A yahoo_answers_csv file.")
        var dataset: String

        @Option(name: .customLong("max-questions"), help: "Load at most this many rows.")
        var maxQuestions: Int = Int.max

        @OptionGroup var mongo: PipelineOptions.Mongo

        func run() async throws {
            let settings = try PipelineOptions.settings([mongo])
            let reader = try YahooCSVReader(path: dataset)
            let questions = try PipelineBackends.questions(settings: settings)
            var loaded = 0
            var batch: [(index: Int, row: YahooRow)] = []
            func flush() async throws {
                let rows = batch
                batch.removeAll()
                try await questions.upsert(rows)
            }
            while loaded < maxQuestions, let row = try reader.next() {
                batch.append((loaded, row))
                loaded += 1
                if batch.count == 1000 { try await flush() }
            }
            try await flush()
            print("loaded \(loaded) questions into \(settings.mongoDatabase).\(QuestionsCollection.name)"
                + (reader.badRows > 0 ? "; skipped \(reader.badRows) malformed rows" : ""))
            if let report = reader.skippedReport() { printError(report) }
        }
    }

    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a yahoo_answers_csv file of generated Yahoo-like rows (streaming).")

        @Option(name: .long, help: "Rows to write.")
        var rows: Int

        @Option(name: .long, help: "The file to write.")
        var out: String

        @Option(name: .long, help: "Random seed (the same seed writes the same file).")
        var seed: UInt64 = 42

        func run() throws {
            guard rows > 0 else { throw ValidationError("--rows must be positive") }
            let clock = ContinuousClock()
            let started = clock.now
            let written = try YahooCSVWriter.writeSynthetic(rows: rows, seed: seed, to: out)
            let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
            print("wrote \(written) rows (\(size) bytes) to \(out) in \(clock.now - started)")
        }
    }
}

import ArgumentParser
import Foundation
import Dataset
import Scoring

struct IDFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idf",
        abstract: "Build and inspect corpus IDF models.",
        subcommands: [Build.self, Info.self]
    )

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a corpus IDF model from the best answers of a yahoo_answers_csv file.")

        @Option(name: .long, help: "A yahoo_answers_csv file (class,title,content,best_answer).")
        var dataset: String

        @Option(name: .long, help: "Where to write the model file.")
        var out: String

        @Option(name: .customLong("min-df"), help: "Keep terms found in at least this many answers.")
        var minimumDocumentFrequency: UInt32 = 1

        @Option(name: .long, help: "zstd compression level, 1-22.")
        var level: Int = 19

        func validate() throws {
            guard minimumDocumentFrequency >= 1 else { throw ValidationError("--min-df must be at least 1") }
            guard (1...22).contains(level) else { throw ValidationError("--level must be from 1 to 22, got \(level)") }
        }

        func run() throws {
            let clock = ContinuousClock()
            let started = clock.now
            let reader = try YahooCSVReader(path: dataset)
            let builder = try IDFModelBuilder()
            while let row = try reader.next() {
                try builder.add(row.bestAnswer)
            }
            let model = try builder.finish(minimumDocumentFrequency: minimumDocumentFrequency)
            try model.save(to: out, compressionLevel: level)
            let elapsed = clock.now - started
            let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
            print("model \(out): \(model.documentCount) answers, \(model.termCount) terms, \(size) bytes, "
                + "built in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds])))")
            if let report = reader.skippedReport() { printError(report) }
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print what a model file holds.")

        @Argument(help: "A model file written by `veredicto idf build`.")
        var model: String

        @Option(name: .long, parsing: .upToNextOption, help: "Print the document frequency and IDF of these tokens.")
        var terms: [String] = []

        func run() throws {
            let model = try IDFModel(loading: model)
            print("documents \(model.documentCount), terms \(model.termCount)")
            for term in terms {
                let token = term.lowercased()
                print("\(token)\tdf \(model.documentFrequency(of: token))\tidf \(model.idf(of: token))")
            }
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

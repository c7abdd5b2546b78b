import ArgumentParser
import Foundation
import Runtime
import Scoring
import VeredictoCore

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score JSONL pairs {\"reference\": ..., \"answer\": ...} by TF-IDF cosine similarity.",
        discussion: """
            Reads one JSON object per line from FILE (or standard input) and writes one line per
            pair: {"line":N,"score":S}, with the input's "id" when it has one. A malformed line
            stops the run with its line number, unless --skip-invalid is given, which reports
            it on standard error and goes on.
            """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case auto, pair, corpus
    }

    @Argument(help: "JSONL input file; standard input when absent or '-'.")
    var input: String?

    @Option(name: .long, help: "IDF mode: pair (fitted on each pair, as scikit-learn), corpus (needs --model), or auto (corpus when --model is given).")
    var idf: Mode = .auto

    @Option(name: .long, help: "Corpus IDF model built by `veredicto idf build`.")
    var model: String?

    @Option(name: [.short, .long], help: "Output file; standard output when absent.")
    var output: String?

    @Flag(name: .customLong("skip-invalid"), help: "Report malformed lines on standard error and continue.")
    var skipInvalid = false

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Force a SIMD kernel: \(ScoringKernel.allCases.map(\.description).joined(separator: ", ")).")
    var kernel: String?

    func validate() throws {
        guard threads >= 1 && threads <= 256 else { throw ValidationError("--threads must be from 1 to 256, got \(threads)") }
        if idf == .corpus && model == nil {
            throw ValidationError("--idf corpus needs --model MODEL (build one with `veredicto idf build`)")
        }
        if idf == .pair && model != nil { throw ValidationError("--model is only used with --idf corpus; drop one of them") }
        if let kernel {
            guard let chosen = ScoringKernel(name: kernel) else {
                throw ValidationError("unknown --kernel \(kernel); choose one of \(ScoringKernel.allCases.map(\.description).joined(separator: ", "))")
            }
            guard chosen.isSupported else {
                throw ValidationError("--kernel \(kernel) is not supported by this CPU; supported: \(ScoringKernel.supported.map(\.description).joined(separator: ", "))")
            }
        }
    }

    func run() throws {
        if let kernel, let chosen = ScoringKernel(name: kernel) { try ScoringKernel.force(chosen) }
        let idfModel = try model.map { try IDFModel(loading: $0) }
        let inputDescriptor: Int32
        if let input, input != "-" {
            inputDescriptor = open(input, O_RDONLY)
            guard inputDescriptor >= 0 else { throw ValidationError("cannot open \(input): \(String(cString: strerror(errno)))") }
        } else {
            inputDescriptor = STDIN_FILENO
        }
        defer { if inputDescriptor != STDIN_FILENO { close(inputDescriptor) } }
        let outputDescriptor: Int32
        if let output {
            outputDescriptor = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard outputDescriptor >= 0 else { throw ValidationError("cannot write \(output): \(String(cString: strerror(errno)))") }
        } else {
            outputDescriptor = STDOUT_FILENO
        }
        defer { if outputDescriptor != STDOUT_FILENO { close(outputDescriptor) } }

        let scorer = try PairFileScorer(model: idfModel, threads: threads, skipInvalid: skipInvalid)
        let clock = ContinuousClock()
        let started = clock.now
        let summary = try scorer.run(input: inputDescriptor, output: outputDescriptor) { problem in
            printError("veredicto score: \(input ?? "stdin"): \(problem); skipped")
        }
        let elapsed = clock.now - started
        let seconds = elapsed.inSeconds
        if summary.skipped > 0 || output != nil {
            let mode = idfModel == nil ? "pair" : "corpus"
            let mean = summary.scored > 0 ? summary.scoreSum / Double(summary.scored) : 0
            printError("scored \(summary.scored) pairs (\(mode) IDF) in \(String(format: "%.3f", seconds)) s, "
                + "mean score \(String(format: "%.4f", mean)), skipped \(summary.skipped) invalid lines"
                + (output.map { " -> \($0)" } ?? ""))
        }
    }
}

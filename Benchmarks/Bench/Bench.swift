import ArgumentParser
import Foundation
import Services

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Veredicto: figures, and ratios against baselines measured in the same run.")

    enum Section: String, ExpressibleByArgument, CaseIterable {
        case scoring
    }

    @Option(name: .long, help: "Sections to run: \(Section.allCases.map(\.rawValue).joined(separator: ", ")).")
    var section: [Section] = Section.allCases

    @Flag(name: .long, help: "Print one JSON object with all figures instead of tables.")
    var json = false

    @Option(name: .long, help: "Pairs in the generated corpus.")
    var pairs: Int = 20_000

    @Option(name: .long, help: "Seed of the generated corpus.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Minimum seconds per measured round.")
    var seconds: Double = 0.3

    @Option(name: .long, help: "Kernels to compare (default: every kernel this CPU supports).")
    var kernel: [String] = []

    @Option(name: .long, help: "Measure on real text instead of generated text: a CSV file whose first column is a text (pairs are consecutive texts).")
    var texts: String?

    @Flag(name: .customLong("no-sklearn"), help: "Skip the scikit-learn baseline even when it is installed.")
    var noSklearn = false

    func validate() throws {
        for name in kernel {
            guard let chosen = ScoringKernel(name: name), chosen.isSupported else {
                throw ValidationError("--kernel \(name) is not a kernel of this CPU; choose from \(ScoringKernel.supported.map(\.description).joined(separator: ", "))")
            }
        }
        guard pairs >= 100 else { throw ValidationError("--pairs must be at least 100, got \(pairs)") }
        guard seconds > 0 && seconds <= 60 else { throw ValidationError("--seconds must be in (0, 60], got \(seconds)") }
    }

    func run() throws {
        var report: [String: Any] = [:]
        if section.contains(.scoring) {
            let benchmark = ScoringBenchmark(pairs: pairs, seed: seed, fixture: "Tests/ScoringTests/Fixtures/pair_parity.jsonl",
                                             sklearn: !noSklearn, minimumSeconds: seconds,
                                             kernels: kernel.isEmpty ? ScoringKernel.supported : kernel.compactMap(ScoringKernel.init(name:)),
                                             textsFile: texts)
            let figures = try benchmark.run()
            if json {
                let data = try JSONEncoder().encode(figures)
                report["scoring"] = try JSONSerialization.jsonObject(with: data)
            } else {
                ScoringReport(figures: figures).print()
            }
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

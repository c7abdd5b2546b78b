import Foundation

/// Prints the scoring figures as tables, with the targets of the scoring core beside them.
struct ScoringReport {
    let figures: ScoringBenchmark.Figures

    func print() {
        let f = figures
        Swift.print("== scoring: \(f.pairs) \(f.source) pairs, \(Int(f.meanPairBytes)) bytes per pair, "
            + "answers median \(f.medianAnswerWords) words, p99 \(f.p99AnswerWords) words")
        Swift.print("")
        Swift.print(pad("kernel", 10) + pad("tokenize MB/s", 15) + pad("classify ASCII MB/s", 21) + "pairs/s (pair mode, 1 thread)")
        for k in f.kernels {
            Swift.print(pad(k.kernel + (k.kernel == f.activeKernel ? "*" : ""), 10) + pad(fmt(k.tokenizeMBPerSecond), 15)
                + pad(fmt(k.classifyASCIIMBPerSecond), 21) + fmt(k.pairsPerSecond))
        }
        Swift.print("(* chosen at run time)")
        Swift.print("")
        row("pair mode, 1 thread", fmt(f.pairModePairsPerSecond) + " pairs/s", target: "≥ 500,000", f.pairModePairsPerSecond >= 500_000)
        row("corpus mode, 1 thread", fmt(f.corpusModePairsPerSecond) + " pairs/s", target: nil, nil)
        row("pair mode, \(f.allCoresThreads) threads", fmt(f.allCoresPairsPerSecond) + " pairs/s", target: nil, nil)
        let bestASCII = f.kernels.map(\.classifyASCIIMBPerSecond).max() ?? 0
        row("SIMD classify, ASCII", fmt(bestASCII / 1000, digits: 2) + " GB/s", target: "≥ 1 GB/s", bestASCII >= 1000)
        let allocations = f.allocationCounting ? String(format: "%.4f", f.allocationsPerPair) : "not counted on this platform"
        row("heap allocations per pair", allocations, target: "0", f.allocationCounting ? f.allocationsPerPair == 0 : nil)
        row("pure-Swift baseline", fmt(f.swiftBaselinePairsPerSecond) + " pairs/s", target: nil, nil)
        row("speed-up over pure Swift", fmt(f.speedupOverSwiftBaseline, digits: 1) + "x", target: nil, nil)
        if let pairMethod = f.sklearnPairMethodPairsPerSecond, let corpus = f.sklearnCorpusIDFPairsPerSecond,
           let overPair = f.speedupOverSklearnPairMethod, let overCorpus = f.speedupOverSklearnCorpusIDF {
            row("scikit-learn, fit per pair", fmt(pairMethod) + " pairs/s", target: nil, nil)
            row("scikit-learn, corpus IDF", fmt(corpus) + " pairs/s", target: nil, nil)
            row("speed-up over fit per pair", fmt(overPair, digits: 0) + "x", target: "≥ 500x", overPair >= 500)
            row("speed-up over corpus IDF", fmt(overCorpus, digits: 1) + "x", target: "≥ 30x", overCorpus >= 30)
        } else {
            row("scikit-learn baselines", "not measured (--no-sklearn given, or scikit-learn not installed)", target: nil, nil)
        }
        row("parity with scikit-learn", "\(f.parityPairs - f.parityFailures)/\(f.parityPairs) pairs within 1e-6, "
            + "max |diff| \(String(format: "%.1e", f.parityMaxAbsDifference))",
            target: "all", f.parityPairs > 0 && f.parityFailures == 0)
        Swift.print("")
    }

    private func row(_ name: String, _ value: String, target: String?, _ met: Bool?) {
        var line = pad(name, 30) + pad(value, 34)
        if let target { line += "target " + target + (met == true ? "  met" : met == false ? "  NOT MET" : "") }
        Swift.print(line)
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private func fmt(_ value: Double, digits: Int = 0) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = digits
        formatter.minimumFractionDigits = digits
        return formatter.string(from: NSNumber(value: value)) ?? "\(value)"
    }
}

import Foundation

/// Prints the scoring figures as tables, with the targets of the scoring core beside them.
struct ScoringReport {
    let figures: ScoringBenchmark.Figures

    func print() {
        let f = figures
        Swift.print("== scoring: \(f.pairs) \(f.source) pairs, \(Int(f.meanPairBytes)) bytes per pair, "
            + "answers median \(f.medianAnswerWords) words, p99 \(f.p99AnswerWords) words")
        Swift.print("")
        Swift.print(pad("kernel", 10) + pad("tokenize MB/s", 15) + pad("classify ASCII MB/s", 21)
            + "pairs/s and MB/s of text (pair mode, 1 thread)")
        for k in f.kernels {
            Swift.print(pad(k.kernel + (k.kernel == f.activeKernel ? "*" : ""), 10) + pad(fmt(k.tokenizeMBPerSecond), 15)
                + pad(fmt(k.classifyASCIIMBPerSecond), 21) + pad(fmt(k.pairsPerSecond), 11)
                + fmt(k.pairsPerSecond * f.meanPairBytes / 1e6))
        }
        Swift.print("(* chosen at run time)")
        Swift.print("")
        row("pair mode, 1 thread", fmt(f.pairModePairsPerSecond) + " pairs/s, " + gbps(f.pairModeBytesPerSecond),
            target: "≥ 1,500,000", f.pairModePairsPerSecond >= 1_500_000)
        if let low = f.pairModeRounds.min(), f.pairModeRounds.count > 1 {
            row("  its \(f.pairModeRounds.count) rounds", fmt(low) + "–" + fmt(f.pairModePairsPerSecond) + " pairs/s",
                target: nil, nil)
        }
        row("  per CPU second", fmt(f.pairModePairsPerCPUSecond) + " pairs/s, " + gbps(f.pairModePairsPerCPUSecond * f.meanPairBytes),
            target: nil, nil)
        row("tokenizer, 1 thread", gbps(f.tokenizeBytesPerSecond), target: "≥ 2.5 GB/s", f.tokenizeBytesPerSecond >= 2.5e9)
        if let low = f.tokenizeRounds.min(), f.tokenizeRounds.count > 1 {
            row("  its \(f.tokenizeRounds.count) rounds", fmt(low / 1e9, digits: 3) + "–" + gbps(f.tokenizeBytesPerSecond),
                target: nil, nil)
        }
        row("  per CPU second", gbps(f.tokenizeBytesPerCPUSecond), target: nil, nil)
        row("corpus mode, 1 thread", fmt(f.corpusModePairsPerSecond) + " pairs/s, "
            + gbps(f.corpusModePairsPerSecond * f.meanPairBytes), target: nil, nil)
        row("pair mode, \(f.allCoresThreads) threads", fmt(f.allCoresPairsPerSecond) + " pairs/s, " + gbps(f.allCoresBytesPerSecond),
            target: nil, nil)
        let bestASCII = f.kernels.map(\.classifyASCIIMBPerSecond).max() ?? 0
        row("SIMD classify, ASCII", fmt(bestASCII / 1000, digits: 2) + " GB/s", target: "≥ 1 GB/s", bestASCII >= 1000)
        let allocations = f.allocationCounting ? String(format: "%.4f", f.allocationsPerPair) : "not counted on this platform"
        row("heap allocations per pair", allocations, target: "0", f.allocationCounting ? f.allocationsPerPair == 0 : nil)
        row("pure-Swift baseline", fmt(f.swiftBaselinePairsPerSecond) + " pairs/s, " + gbps(f.swiftBaselineBytesPerSecond),
            target: nil, nil)
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

    /// Bytes per second as GB/s with three decimals.
    private func gbps(_ bytesPerSecond: Double) -> String {
        fmt(bytesPerSecond / 1e9, digits: 3) + " GB/s"
    }

    private func fmt(_ value: Double, digits: Int = 0) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = digits
        formatter.minimumFractionDigits = digits
        return formatter.string(from: NSNumber(value: value)) ?? "\(value)"
    }
}

import CAllocCounter
import CScoring
import Dispatch
import Foundation
import Dataset
import Scoring
import VeredictoCore

/// The `scoring` section: tokenizer throughput per kernel, pairs/s per kernel on one thread
/// and on all cores, allocations per pair, scikit-learn parity, and the pure-Swift baseline.
struct ScoringBenchmark {
    var pairs: Int
    var seed: UInt64
    var fixture: String
    var sklearn: Bool
    var minimumSeconds: Double
    var kernels: [ScoringKernel]
    var textsFile: String?
    var yahooFile: String?

    struct KernelFigures: Codable {
        var kernel: String
        var tokenizeMBPerSecond: Double
        var classifyASCIIMBPerSecond: Double
        var pairsPerSecond: Double
    }

    struct Figures: Codable {
        var pairs = 0
        var source = "generated"
        var meanPairBytes = 0.0
        var medianAnswerWords = 0
        var p99AnswerWords = 0
        var activeKernel = ""
        var kernels: [KernelFigures] = []
        var pairModePairsPerSecond = 0.0
        var corpusModePairsPerSecond = 0.0
        var allCoresThreads = 0
        var allCoresPairsPerSecond = 0.0
        /// Text scored or tokenized per second: pairs/s times the mean bytes of a pair.
        var pairModeBytesPerSecond = 0.0
        var allCoresBytesPerSecond = 0.0
        var swiftBaselineBytesPerSecond = 0.0
        /// csc_tokenize over the batch's texts with the kernel chosen at run time.
        var tokenizeBytesPerSecond = 0.0
        /// The same two rates per second of this thread's CPU time: on a machine shared with
        /// other work, wall-clock rates follow the other jobs, CPU-time rates much less.
        var pairModePairsPerCPUSecond = 0.0
        var tokenizeBytesPerCPUSecond = 0.0
        /// Each round's wall-clock rate behind the best one above (pairs/s, bytes/s), so the
        /// report shows how far the rounds of one run disagree.
        var pairModeRounds: [Double] = []
        var tokenizeRounds: [Double] = []
        var allocationsPerPair = 0.0
        var allocationCounting = false
        var swiftBaselinePairsPerSecond = 0.0
        var speedupOverSwiftBaseline = 0.0
        var parityPairs = 0
        var parityMaxAbsDifference = 0.0
        var parityFailures = 0
        var sklearnPairMethodPairsPerSecond: Double?
        var sklearnCorpusIDFPairsPerSecond: Double?
        var speedupOverSklearnPairMethod: Double?
        var speedupOverSklearnCorpusIDF: Double?
    }

    func run() throws -> Figures {
        var figures = Figures()
        var batch = ScoringBatch()
        var references: [String] = []
        var answerWords: [Int] = []
        if textsFile != nil && yahooFile != nil { throw BenchError("give --texts or --yahoo, not both") }
        if let realFile = textsFile ?? yahooFile {
            // Real text: pairs of consecutive texts of the file, cycled up to `pairs`.
            let texts = textsFile != nil ? try TextColumnReader.texts(path: realFile) : try Self.yahooTexts(path: realFile)
            let option = textsFile != nil ? "--texts" : "--yahoo"
            guard texts.count >= 2 else { throw BenchError("\(option) \(realFile): need at least two texts") }
            // A Yahoo! Answers CSV's first column is its class (1 to 10): measured as text, it
            // would be two bytes a pair, and figures that say nothing about scoring answers.
            if textsFile != nil, texts.allSatisfy({ Int($0).map { (1...10).contains($0) } ?? false }) {
                throw BenchError("--texts \(realFile): its first column holds only class numbers (1 to 10), as a "
                    + "Yahoo! Answers CSV does; measure that file with --yahoo \(realFile)")
            }
            for index in 0..<pairs {
                let reference = texts[(2 * index) % texts.count], answer = texts[(2 * index + 1) % texts.count]
                batch.append(reference: reference, answer: answer)
                references.append(reference)
                answerWords.append(answer.split(separator: " ").count)
            }
        } else {
            var text = SyntheticText(seed: seed)
            for index in 0..<pairs {
                let pair = text.pair(topic: index % 10)
                batch.append(reference: pair.reference, answer: pair.answer)
                references.append(pair.reference)
                answerWords.append(pair.answer.split(separator: " ").count)
            }
        }
        answerWords.sort()
        figures.pairs = pairs
        if let realFile = textsFile ?? yahooFile { figures.source = "real-text (\(realFile))" }
        figures.meanPairBytes = Double(batch.byteCount) / Double(pairs)
        figures.medianAnswerWords = answerWords[pairs / 2]
        figures.p99AnswerWords = answerWords[pairs * 99 / 100]
        figures.activeKernel = ScoringKernel.active.description

        let asciiText = Self.asciiOnly(batch)
        defer { try? ScoringKernel.force(nil) }
        for kernel in kernels where kernel.isSupported {
            try ScoringKernel.force(kernel)
            let scorer = try TFIDFScorer()
            var scores: [Double] = []
            scorer.score(batch, into: &scores)  // warm-up: grows the arena
            let pairRate = Measure.bestRate(units: Double(pairs), minimumSeconds: minimumSeconds) {
                scorer.score(batch, into: &scores)
            }
            figures.kernels.append(KernelFigures(
                kernel: kernel.description,
                tokenizeMBPerSecond: try Self.tokenizeRate(batch, minimumSeconds: minimumSeconds) / 1e6,
                classifyASCIIMBPerSecond: Self.classifyRate(kernel, asciiText, minimumSeconds: minimumSeconds) / 1e6,
                pairsPerSecond: pairRate))
        }
        try ScoringKernel.force(nil)

        // Pair and corpus modes with the automatic kernel; allocations counted over the
        // timed loop, after warm-up.
        let pairScorer = try TFIDFScorer()
        var scores: [Double] = []
        pairScorer.score(batch, into: &scores)
        let allocationsBefore = veredicto_allocations()
        let repetitions = 3
        for _ in 0..<repetitions { pairScorer.score(batch, into: &scores) }
        figures.allocationsPerPair = Double(veredicto_allocations() - allocationsBefore) / Double(pairs * repetitions)
        figures.allocationCounting = veredicto_allocation_counting_active() != 0
        figures.pairModeRounds = Measure.roundRates(units: Double(pairs), minimumSeconds: minimumSeconds) {
            pairScorer.score(batch, into: &scores)
        }
        figures.pairModePairsPerSecond = figures.pairModeRounds.max() ?? 0
        figures.pairModeBytesPerSecond = figures.pairModePairsPerSecond * figures.meanPairBytes
        figures.pairModePairsPerCPUSecond = Self.bestCPURate(units: Double(pairs), minimumSeconds: minimumSeconds) {
            pairScorer.score(batch, into: &scores)
        }
        figures.tokenizeRounds = try Self.tokenizeRoundRates(batch, minimumSeconds: minimumSeconds)
        figures.tokenizeBytesPerSecond = figures.tokenizeRounds.max() ?? 0
        figures.tokenizeBytesPerCPUSecond = try Self.tokenizeRate(batch, minimumSeconds: minimumSeconds, cpuTime: true)
        let model = try IDFModel.build(from: references)
        let corpusScorer = try TFIDFScorer(model: model)
        corpusScorer.score(batch, into: &scores)
        figures.corpusModePairsPerSecond = Measure.bestRate(units: Double(pairs), minimumSeconds: minimumSeconds) {
            corpusScorer.score(batch, into: &scores)
        }

        // All cores: one scorer per thread over its share of the batch.
        let threads = ProcessInfo.processInfo.activeProcessorCount
        figures.allCoresThreads = threads
        let shares = try Self.split(batch, into: threads)
        let scorers = try (0..<threads).map { _ in try TFIDFScorer() }
        let workers = WorkerSet(scorers: scorers, shares: shares)
        workers.runAll()
        figures.allCoresPairsPerSecond = Measure.bestRate(units: Double(pairs), minimumSeconds: minimumSeconds) {
            workers.runAll()
        }
        figures.allCoresBytesPerSecond = figures.allCoresPairsPerSecond * figures.meanPairBytes

        // The pure-Swift baseline, on a slice (it is slow).
        let baseline = SwiftBaselineScorer()
        let baselinePairs = min(pairs, 2000)
        let slice = (0..<baselinePairs).map { (batch.reference(at: $0), batch.answer(at: $0)) }
        figures.swiftBaselinePairsPerSecond = Measure.bestRate(units: Double(baselinePairs), rounds: 2,
                                                               minimumSeconds: minimumSeconds) {
            var sum = 0.0
            for (reference, answer) in slice { sum += baseline.score(answer: answer, reference: reference) }
            precondition(sum >= 0)
        }
        let sliceBytes = slice.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count }
        figures.swiftBaselineBytesPerSecond = figures.swiftBaselinePairsPerSecond * Double(sliceBytes) / Double(baselinePairs)
        figures.speedupOverSwiftBaseline = figures.pairModePairsPerSecond / figures.swiftBaselinePairsPerSecond

        try checkParity(&figures, scorer: pairScorer)
        if sklearn { try measureSklearn(&figures, batch: batch) }
        return figures
    }

    /// The non-empty titles, contents and best answers of a Yahoo! Answers CSV, row by row.
    static func yahooTexts(path: String) throws -> [String] {
        let reader = try YahooCSVReader(path: path)
        var texts: [String] = []
        while let row = try reader.next() {
            texts += [row.title, row.content, row.bestAnswer].filter { !$0.isEmpty }
        }
        return texts
    }

    /// Tokenize (classify, lower, find tokens, term ids) bytes/s of the active kernel: both
    /// texts of every pair, one csc_tokenize call each, nothing else in the timed loop.
    static func tokenizeRate(_ batch: ScoringBatch, minimumSeconds: Double, cpuTime: Bool = false) throws -> Double {
        try tokenizeRoundRates(batch, minimumSeconds: minimumSeconds, cpuTime: cpuTime).max() ?? 0
    }

    /// The same, the rate of each of 3 rounds.
    static func tokenizeRoundRates(_ batch: ScoringBatch, minimumSeconds: Double, cpuTime: Bool = false) throws -> [Double] {
        guard let arena = csc_arena_new() else { throw ScoringError(.outOfMemory, "arena") }
        defer { csc_arena_free(arena) }
        var tokens = [csc_token](repeating: csc_token(), count: 1 << 16)
        let count = batch.count
        return batch.bytes.withUnsafeBufferPointer { bytes in
            batch.referenceOffsets.withUnsafeBufferPointer { refOffsets in
                batch.referenceLengths.withUnsafeBufferPointer { refLengths in
                    batch.answerOffsets.withUnsafeBufferPointer { ansOffsets in
                        batch.answerLengths.withUnsafeBufferPointer { ansLengths in
                            tokens.withUnsafeMutableBufferPointer { out in
                                let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
                                let rate: (Double, Int, Double, () -> Void) -> [Double] = cpuTime
                                    ? { Self.cpuRoundRates(units: $0, rounds: $1, minimumSeconds: $2, $3) }
                                    : { Measure.roundRates(units: $0, rounds: $1, minimumSeconds: $2, $3) }
                                return rate(Double(bytes.count), 3, minimumSeconds) {
                                    var total = 0
                                    for i in 0..<count {
                                        total &+= csc_tokenize(arena, base + Int(refOffsets[i]), Int(refLengths[i]),
                                                               out.baseAddress, out.count)
                                        total &+= csc_tokenize(arena, base + Int(ansOffsets[i]), Int(ansLengths[i]),
                                                               out.baseAddress, out.count)
                                    }
                                    precondition(total > 0)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Seconds of CPU time this thread has used.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Measure.bestRate, timed by this thread's CPU time instead of the wall clock.
    static func bestCPURate(units: Double, rounds: Int = 3, minimumSeconds: Double = 0.3, _ body: () -> Void) -> Double {
        cpuRoundRates(units: units, rounds: rounds, minimumSeconds: minimumSeconds, body).max() ?? 0
    }

    /// Measure.roundRates, timed by this thread's CPU time instead of the wall clock.
    static func cpuRoundRates(units: Double, rounds: Int = 3, minimumSeconds: Double = 0.3, _ body: () -> Void) -> [Double] {
        Measure.roundRates(units: units, rounds: rounds, minimumSeconds: minimumSeconds, now: threadCPUSeconds, body)
    }

    /// Classification MB/s of one kernel over large ASCII buffers (1 MiB per call).
    static func classifyRate(_ kernel: ScoringKernel, _ text: [UInt8], minimumSeconds: Double) -> Double {
        let block = 1 << 20
        var lowered = [UInt8](repeating: 0, count: block)
        var bits = [UInt64](repeating: 0, count: block / 64 + 1)
        return text.withUnsafeBufferPointer { src in
            lowered.withUnsafeMutableBufferPointer { dst in
                bits.withUnsafeMutableBufferPointer { out in
                    Measure.bestRate(units: Double(src.count), minimumSeconds: minimumSeconds) {
                        var offset = 0
                        while offset < src.count {
                            let n = min(block, src.count - offset)
                            _ = csc_classify(kernel.rawValue, src.baseAddress! + offset, n, dst.baseAddress, out.baseAddress)
                            offset += n
                        }
                    }
                }
            }
        }
    }

    /// The batch's text with every non-ASCII byte replaced by a space.
    static func asciiOnly(_ batch: ScoringBatch) -> [UInt8] {
        batch.bytes.map { $0 < 0x80 ? $0 : 0x20 }
    }

    static func split(_ batch: ScoringBatch, into parts: Int) throws -> [ScoringBatch] {
        var shares = [ScoringBatch](repeating: ScoringBatch(), count: parts)
        for i in 0..<batch.count {
            shares[i % parts].append(reference: batch.reference(at: i), answer: batch.answer(at: i))
        }
        return shares
    }

    func checkParity(_ figures: inout Figures, scorer: TFIDFScorer) throws {
        guard let data = FileManager.default.contents(atPath: fixture) else {
            throw BenchError("parity fixture \(fixture) not found; run the bench from the package root")
        }
        var worst = 0.0
        var failures = 0
        var count = 0
        for line in data.split(separator: 0x0A) where !line.isEmpty {
            let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            guard let reference = object?["reference"] as? String, let answer = object?["answer"] as? String,
                  let expected = (object?["score"] as? NSNumber)?.doubleValue
            else { throw BenchError("malformed fixture line in \(fixture)") }
            let difference = abs(scorer.score(answer: answer, reference: reference) - expected)
            worst = max(worst, difference)
            if difference > 1e-6 { failures += 1 }
            count += 1
        }
        figures.parityPairs = count
        figures.parityMaxAbsDifference = worst
        figures.parityFailures = failures
    }

    /// Runs scripts/sklearn_baseline.py on the first pairs, when scikit-learn is installed.
    func measureSklearn(_ figures: inout Figures, batch: ScoringBatch) throws {
        let sample = min(batch.count, 3000)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("veredicto-bench-pairs.jsonl").path
        var writer = JSONWriter(capacity: batch.byteCount / max(batch.count, 1) * sample + 1024)
        for i in 0..<sample {
            writer.beginObject()
            writer.field("reference", batch.reference(at: i))
            writer.field("answer", batch.answer(at: i))
            writer.endObject()
            writer.newline()
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(writer.bytes)) else {
            throw BenchError("cannot write \(path)")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let numbers = try PythonBaseline.run("sklearn_baseline.py", [path]),
              let pairMethod = numbers["pair_method_pairs_per_s"], let corpus = numbers["corpus_idf_pairs_per_s"]
        else {
            FileHandle.standardError.write(Data("bench: scikit-learn baseline unavailable (pip install scikit-learn); skipped\n".utf8))
            return
        }
        figures.sklearnPairMethodPairsPerSecond = pairMethod
        figures.sklearnCorpusIDFPairsPerSecond = corpus
        figures.speedupOverSklearnPairMethod = figures.pairModePairsPerSecond / pairMethod
        figures.speedupOverSklearnCorpusIDF = figures.corpusModePairsPerSecond / corpus
    }
}

/// One scorer per thread over its share, run together by concurrentPerform.
final class WorkerSet: @unchecked Sendable {
    // @unchecked: worker i touches only scorers[i], shares[i] and scores[i].
    let scorers: [TFIDFScorer]
    let shares: [ScoringBatch]
    var scores: [[Double]]

    init(scorers: [TFIDFScorer], shares: [ScoringBatch]) {
        self.scorers = scorers
        self.shares = shares
        self.scores = Array(repeating: [], count: scorers.count)
    }

    func runAll() {
        DispatchQueue.concurrentPerform(iterations: scorers.count) { i in
            self.scorers[i].score(self.shares[i], into: &self.scores[i])
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

import CScoring
import Foundation
import Testing

@testable import Scoring
@testable import VeredictoCore

/// The scan that finds tokens in the word bits, the term table that counts them, and the
/// masked tail of the AVX-512 kernel, against expectations built independently of them.
@Suite struct TermTableTests {
    /// Words of 1 to 20 characters (ASCII letters and digits, '_', 'é', 'É', '中') joined by
    /// separators, so that runs start and end at every bit of a 64-bit word, single letters
    /// and single multi-byte characters sit on word boundaries, and tokens pass 8 bytes.
    static func randomText(words: Int, generator: inout SplitMix64) -> (text: String, expected: [String]) {
        let characters: [String] = (Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_").map(String.init))
            + ["é", "É", "中"]
        let separators = [" ", ", ", "\\n", " — ", ".", "  "]
        var text = ""
        var expected: [String] = []
        for index in 0..<words {
            if index > 0 { text += separators[Int(generator.next() % UInt64(separators.count))] }
            let roll = generator.next() % 10
            let length = roll < 3 ? 1 : Int(generator.next() % 20) + 1
            var word = ""
            for _ in 0..<length {
                // Mostly ASCII, so that the SIMD chunks take their fast path.
                let pick = generator.next() % 40 == 0 ? 63 + Int(generator.next() % 3) : Int(generator.next() % 63)
                word += characters[pick]
            }
            // "n" right after the "\n" separator would be the escaped newline's letter.
            if text.hasSuffix("\\n") && (word.hasPrefix("n") || word.hasPrefix("N")) { word = "x" + word }
            text += word
            if word.count >= 2 { expected.append(word.lowercased()) }
        }
        return (text, expected)
    }

    @Test func tokensOfRandomWordsAtEveryAlignment() async throws {
        // Every kernel: the scalar and SSE kernels also run the scan of the baseline build,
        // AVX2 and AVX-512 the one built with BMI1/BMI2.
        for kernel in ScoringKernel.supported {
            try await ForcedKernel.with(kernel) {
                let scorer = try TFIDFScorer()
                var generator = SplitMix64(seed: 2024)
                for round in 0..<300 {
                    let (text, expected) = Self.randomText(words: 1 + round % 90, generator: &generator)
                    #expect(scorer.tokens(of: text) == expected, "\(kernel), round \(round): \(text)")
                }
            }
        }
    }

    @Test func singleLettersAndOneCharacterWordsAtWordBoundaries() throws {
        let scorer = try TFIDFScorer()
        for lead in 0..<140 {
            // A single letter, a single 'é' and a single ideograph ending at every position.
            for single in ["q", "é", "中", "Q"] {
                let text = String(repeating: " ", count: lead) + single + " ab " + single + "cd"
                #expect(scorer.tokens(of: text) == ["ab", single.lowercased() + "cd"], "lead \(lead), \(single)")
            }
            // A token that runs into the next word of bits, then a single letter.
            let long = String(repeating: " ", count: lead) + String(repeating: "w", count: 70) + " x yz"
            #expect(scorer.tokens(of: long) == [String(repeating: "w", count: 70), "yz"], "lead \(lead)")
        }
    }

    @Test func tokenizeGivesEveryTokenItsTermID() throws {
        guard let arena = csc_arena_new() else { throw ScoringError(.outOfMemory, "arena") }
        defer { csc_arena_free(arena) }
        var generator = SplitMix64(seed: 99)
        for _ in 0..<100 {
            let random = Self.randomText(words: 60, generator: &generator)
            let expected = random.expected
            let tokens = RunListTests.tokenize(random.text, arena: arena, capacity: 200).tokens
            #expect(tokens.count == expected.count)
            for (token, word) in zip(tokens, expected) {
                #expect(token.term == IDFModel.termID(word), "\(word)")
            }
        }
    }

    @Test func tokenizeWithLessRoomThanTokensCountsThemAll() throws {
        guard let arena = csc_arena_new() else { throw ScoringError(.outOfMemory, "arena") }
        defer { csc_arena_free(arena) }
        let (count, out) = RunListTests.tokenize("alpha beta gamma delta epsilonepsilon zeta", arena: arena, capacity: 3)
        #expect(count == 6)
        #expect(out.map(\.length) == [5, 4, 5])
        #expect(out[2].term == IDFModel.termID("gamma"))
    }

    /// Pair-mode cosine computed the long way: counts in a dictionary, scikit-learn's smooth
    /// IDF over the two documents, L2 norms.
    static func referenceCosine(_ reference: [String], _ answer: [String]) -> Double {
        var r: [String: Double] = [:], q: [String: Double] = [:]
        for t in reference { r[t, default: 0] += 1 }
        for t in answer { q[t, default: 0] += 1 }
        guard !r.isEmpty && !q.isEmpty else { return 0 }
        func idf(_ term: String) -> Double {
            let df = Double((r[term] != nil ? 1 : 0) + (q[term] != nil ? 1 : 0))
            return log(3.0 / (1.0 + df)) + 1.0
        }
        var dot = 0.0, rr = 0.0, qq = 0.0
        for (term, count) in r {
            let w = count * idf(term)
            rr += w * w
            if let other = q[term] { dot += w * other * idf(term) }
        }
        for (term, count) in q { qq += (count * idf(term)) * (count * idf(term)) }
        return dot / (rr.squareRoot() * qq.squareRoot())
    }

    @Test(arguments: ScoringKernel.supported)
    func pairScoresMatchACountedReferenceAcrossTableSizes(kernel: ScoringKernel) async throws {
        try await RunListTests.withKernel(kernel) { _ in
            let scorer = try TFIDFScorer()
            var generator = SplitMix64(seed: 5)
            // Lengths from a few words to thousands, in an order that grows and shrinks the
            // table between pairs, so emptied slots of a larger call are reused by smaller ones.
            let lengths = [3, 2000, 5, 40, 3000, 1, 200, 8, 2500, 60, 0, 120]
            for round in 0..<60 {
                let referenceWords = lengths[round % lengths.count]
                let answerWords = lengths[(round * 7 + 3) % lengths.count]
                let reference = Self.randomText(words: referenceWords, generator: &generator)
                var answer = Self.randomText(words: answerWords, generator: &generator)
                // Share some words, so the dot product is not always zero.
                answer.text += " " + reference.expected.prefix(answerWords / 2).joined(separator: " ")
                answer.expected += reference.expected.prefix(answerWords / 2)
                let expected = Self.referenceCosine(reference.expected, answer.expected)
                let got = scorer.score(answer: answer.text, reference: reference.text)
                #expect(abs(got - expected) < 1e-12, "\(kernel), round \(round): \(got) vs \(expected)")
            }
        }
    }

    @Test func manyDistinctTermsAndHeavyRepeats() throws {
        let scorer = try TFIDFScorer()
        // 20,000 distinct tokens against the same tokens in reverse plus one term repeated.
        let words = (0..<20_000).map { "t\($0)" }
        let reference = words.joined(separator: " ")
        let answer = words.reversed().joined(separator: " ") + String(repeating: " zz", count: 5000)
        let expected = Self.referenceCosine(words, words + Array(repeating: "zz", count: 5000))
        #expect(abs(scorer.score(answer: answer, reference: reference) - expected) < 1e-12)
        #expect(abs(scorer.score(answer: reference, reference: reference) - 1) < 1e-12)
    }

    @Test func tailChunksReadAndWriteNothingPastTheText() throws {
        // The source goes on with word letters after `n`, and the destination has guard
        // bytes after `n`: a kernel that read past the text would see extra word bits, one
        // that wrote past it would change the guard bytes.
        for kernel in ScoringKernel.supported {
            for n in 0...130 {
                let source = [UInt8](repeating: UInt8(ascii: "A"), count: n) + [UInt8](repeating: UInt8(ascii: "B"), count: 64)
                var lowered = [UInt8](repeating: 0xEE, count: n + 64)
                var bits = [UInt64](repeating: 0, count: (n + 63) / 64 + 1)
                let status = source.withUnsafeBufferPointer { src in
                    lowered.withUnsafeMutableBufferPointer { dst in
                        bits.withUnsafeMutableBufferPointer { csc_classify(kernel.rawValue, src.baseAddress, n, dst.baseAddress, $0.baseAddress) }
                    }
                }
                #expect(status == 0)
                #expect(Array(lowered.prefix(n)) == [UInt8](repeating: UInt8(ascii: "a"), count: n), "\(kernel) n \(n)")
                #expect(lowered.suffix(64).allSatisfy { $0 == 0xEE }, "\(kernel) wrote past \(n) bytes")
                var expectedBits = [UInt64](repeating: 0, count: (n + 63) / 64 + 1)
                for i in 0..<n { expectedBits[i / 64] |= 1 << UInt64(i % 64) }
                #expect(bits == expectedBits, "\(kernel) n \(n)")
            }
        }
    }
}

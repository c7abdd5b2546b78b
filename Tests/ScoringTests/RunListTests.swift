import CScoring
import Foundation
import Testing

@testable import Scoring
@testable import VeredictoCore

/// The run lists (AVX-512 VBMI2: 16-bit positions packed 32 at a time; AVX2: starts and last
/// bytes in one list, 8 bits of the word bits at a time through a table; both for texts up
/// to 65,535 bytes, the scan of the word bits beyond that) and the token loops for texts
/// without a byte >= 0x80, against expectations built from the words themselves. Every
/// kernel the CPU supports runs the same checks, so each path is held to the same answers.
@Suite struct RunListTests {
    /// ASCII words of 1 to 24 characters joined by ASCII separators: runs start and end at
    /// every bit of a 64-bit word and of its 32-bit halves, and tokens pass 8 and 16 bytes.
    static func asciiText(words: Int, generator: inout SplitMix64) -> (text: String, expected: [String]) {
        let characters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_").map(String.init)
        let separators = [" ", ", ", " - ", ".", "  ", "\t"]
        var text = ""
        var expected: [String] = []
        for index in 0..<words {
            if index > 0 { text += separators[Int(generator.next() % UInt64(separators.count))] }
            let length = generator.next() % 4 == 0 ? 1 : Int(generator.next() % 24) + 1
            var word = ""
            for _ in 0..<length { word += characters[Int(generator.next() % UInt64(characters.count))] }
            text += word
            if word.count >= 2 { expected.append(word.lowercased()) }
        }
        return (text, expected)
    }

    /// Runs `body` with `kernel` forced (the kernel chosen at run time is restored after) and a
    /// fresh arena.
    static func withKernel(_ kernel: ScoringKernel, _ body: (OpaquePointer) throws -> Void) async throws {
        try await ForcedKernel.with(kernel) {
            guard let arena = csc_arena_new() else { throw ScoringError(.outOfMemory, "arena") }
            defer { csc_arena_free(arena) }
            try body(arena)
        }
    }

    /// Offsets, lengths and term ids from csc_tokenize with room for `capacity` tokens, and
    /// the count it returns.
    static func tokenize(_ text: String, arena: OpaquePointer, capacity: Int) -> (count: Int, tokens: [csc_token]) {
        var text = text
        return text.withUTF8 { bytes in
            var out = [csc_token](repeating: csc_token(), count: max(capacity, 1))
            let count = out.withUnsafeMutableBufferPointer { buffer in
                bytes.withMemoryRebound(to: CChar.self) {
                    csc_tokenize(arena, $0.baseAddress, $0.count, buffer.baseAddress, capacity)
                }
            }
            return (count, Array(out.prefix(min(count, capacity))))
        }
    }

    /// Checks every token of `text` against `expected`: count, the text it points at
    /// (lowercased), and its term id.
    static func expectTokens(_ text: String, _ expected: [String], arena: OpaquePointer, _ context: String) {
        let (count, tokens) = tokenize(text, arena: arena, capacity: expected.count + 4)
        #expect(count == expected.count, "\(context): \(count) tokens, expected \(expected.count)")
        let bytes = Array(text.utf8)
        for (token, word) in zip(tokens, expected) {
            let start = Int(token.offset), end = start + Int(token.length)
            guard end <= bytes.count else {
                Issue.record("\(context): token past the text (\(start)..<\(end) of \(bytes.count))")
                return
            }
            #expect(String(decoding: bytes[start..<end], as: UTF8.self).lowercased() == word, "\(context)")
            #expect(token.term == IDFModel.termID(word), "\(context): term id of \(word)")
        }
    }

    @Test(arguments: ScoringKernel.supported)
    func asciiTokensAtEveryAlignment(kernel: ScoringKernel) async throws {
        try await Self.withKernel(kernel) { arena in
            var generator = SplitMix64(seed: 77)
            for round in 0..<300 {
                let (text, expected) = Self.asciiText(words: 1 + round % 120, generator: &generator)
                Self.expectTokens(text, expected, arena: arena, "\(kernel), round \(round)")
            }
        }
    }

    @Test(arguments: ScoringKernel.supported)
    func everyPatternOfEightWordBitsListsItsRuns(kernel: ScoringKernel) async throws {
        try await Self.withKernel(kernel) { arena in
            // Eight bytes per pattern, byte j a letter when bit j of the pattern is set, else
            // a space: all 256 patterns of a byte of word bits, in order and then shuffled,
            // so runs also join across patterns, 64-bit words and the 16-bit groups.
            var generator = SplitMix64(seed: 256)
            var orders = [Array(0..<256)]
            for _ in 0..<8 {
                var order = Array(0..<256)
                for i in stride(from: 255, to: 0, by: -1) { order.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
                orders.append(order)
            }
            for (round, order) in orders.enumerated() {
                for lead in [0, 1, 7, 31] {
                    var text = String(repeating: " ", count: lead)
                    for (index, pattern) in order.enumerated() {
                        let letter = Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(index % 26)))
                        for bit in 0..<8 { text.append(pattern >> bit & 1 == 1 ? letter : " ") }
                    }
                    let expected = text.split(separator: " ").map(String.init).filter { $0.count >= 2 }
                    Self.expectTokens(text, expected, arena: arena, "\(kernel), order \(round), lead \(lead)")
                }
            }
        }
    }

    @Test(arguments: ScoringKernel.supported)
    func runsOfEveryLengthAtEveryPosition(kernel: ScoringKernel) async throws {
        try await Self.withKernel(kernel) { arena in
            // A run of 1 to 70 letters starting at every byte of the first three 64-bit words
            // (so it ends on, before and after bits 31, 32, 63 and 64), then a separator, a
            // single letter and a token. The same with 'é' in the middle of the run, which
            // takes the other token loop.
            for lead in 0..<140 {
                for length in [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 70] {
                    let run = String(repeating: "k", count: length)
                    let text = String(repeating: " ", count: lead) + run + " q zz"
                    let expected = (length >= 2 ? [run] : []) + ["zz"]
                    Self.expectTokens(text, expected, arena: arena, "\(kernel), lead \(lead), length \(length)")
                    let accented = String(repeating: " ", count: lead) + "k" + "é" + run + " q zz"
                    Self.expectTokens(accented, ["k" + "é" + run, "zz"], arena: arena,
                                      "\(kernel), lead \(lead), é + length \(length)")
                }
            }
        }
    }

    @Test(arguments: ScoringKernel.supported)
    func textsAroundTheSixteenBitPositionLimit(kernel: ScoringKernel) async throws {
        try await Self.withKernel(kernel) { arena in
            let scorer = try TFIDFScorer()
            // Texts of 65,530 to 65,540 bytes (listed runs up to 65,535, the scan of the word
            // bits past it) whose last token ends at the last byte, ASCII and not.
            let words = (0..<13_000).map { "w\($0 % 997)" }
            let body = words.joined(separator: " ")
            for total in 65_530...65_540 {
                for last in ["tail", "tailé"] {
                    let lastBytes = last.utf8.count
                    let fill = total - body.utf8.count - lastBytes
                    guard fill >= 1 else { continue }
                    let text = body + String(repeating: " ", count: fill) + last
                    #expect(text.utf8.count == total)
                    Self.expectTokens(text, words + [last], arena: arena, "\(kernel), \(total) bytes, last \(last)")
                    // The same text as both sides of a pair, and against its words without the
                    // last one: the counts of the last token decide the second score.
                    #expect(abs(scorer.score(answer: text, reference: text) - 1) < 1e-12)
                    let expected = TermTableTests.referenceCosine(words + [last], words)
                    #expect(abs(scorer.score(answer: body, reference: text) - expected) < 1e-12,
                            "\(kernel), \(total) bytes")
                }
            }
        }
    }

    @Test(arguments: ScoringKernel.supported)
    func asciiTokenizeWithLessRoomCountsThemAll(kernel: ScoringKernel) async throws {
        try await Self.withKernel(kernel) { arena in
            var generator = SplitMix64(seed: 3)
            let (text, expected) = Self.asciiText(words: 400, generator: &generator)
            for capacity in [0, 1, 7, 8, 9, 31, 32, 33, expected.count - 1, expected.count] {
                let (count, tokens) = Self.tokenize(text, arena: arena, capacity: capacity)
                #expect(count == expected.count, "\(kernel), room \(capacity)")
                #expect(tokens.count == min(capacity, expected.count))
                for (token, word) in zip(tokens, expected) {
                    #expect(token.term == IDFModel.termID(word), "\(kernel), room \(capacity): \(word)")
                    #expect(Int(token.length) == word.utf8.count)
                }
            }
        }
    }

    @Test(arguments: ScoringKernel.supported)
    func asciiPairScoresMatchACountedReference(kernel: ScoringKernel) async throws {
        try await Self.withKernel(kernel) { _ in
            let scorer = try TFIDFScorer()
            var generator = SplitMix64(seed: 11)
            for round in 0..<80 {
                let reference = Self.asciiText(words: [0, 1, 5, 60, 400, 2000][round % 6], generator: &generator)
                var answer = Self.asciiText(words: [3, 90, 0, 700, 12][round % 5], generator: &generator)
                answer.text += " " + reference.expected.prefix(40).joined(separator: " ")
                answer.expected += reference.expected.prefix(40)
                let expected = TermTableTests.referenceCosine(reference.expected, answer.expected)
                let got = scorer.score(answer: answer.text, reference: reference.text)
                #expect(abs(got - expected) < 1e-12, "\(kernel), round \(round): \(got) vs \(expected)")
            }
        }
    }
}

import CScoring
import Testing

@testable import Scoring
@testable import VeredictoCore

/// Every SIMD kernel must classify and lower exactly as the scalar kernel does.
@Suite struct KernelTests {
    struct Classified: Equatable {
        var lowered: [UInt8]
        var bits: [UInt64]
    }

    static func classify(_ kernel: ScoringKernel, _ bytes: [UInt8]) -> Classified {
        var lowered = [UInt8](repeating: 0xEE, count: bytes.count)
        var bits = [UInt64](repeating: 0xDEAD_BEEF, count: (bytes.count + 63) / 64)
        let status = bytes.withUnsafeBufferPointer { src in
            lowered.withUnsafeMutableBufferPointer { dst in
                bits.withUnsafeMutableBufferPointer { out in
                    csc_classify(kernel.rawValue, src.baseAddress, src.count, dst.baseAddress, out.baseAddress)
                }
            }
        }
        #expect(status == 0)
        return Classified(lowered: lowered, bits: bits)
    }

    static let simdKernels = ScoringKernel.supported.filter { $0 != .scalar }

    /// Compares every SIMD kernel with the scalar one on `bytes`, also at each start offset
    /// of `offsets` (so loads start unaligned).
    static func expectKernelsAgree(_ bytes: [UInt8], offsets: Range<Int> = 0..<1,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        for offset in offsets where offset <= bytes.count {
            let slice = Array(bytes[offset...])
            let expected = classify(.scalar, slice)
            for kernel in simdKernels {
                let got = classify(kernel, slice)
                #expect(got == expected, "kernel \(kernel), offset \(offset), length \(slice.count)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    @Test func thisMachineHasSIMDKernels() async {
        // The kernels this CPU lacks cannot run here: say which were compared and which not.
        let skipped = ScoringKernel.allCases.filter { !$0.isSupported }
        let active = await ForcedKernel.unforced { ScoringKernel.active }
        print("scoring kernels compared with scalar: \(Self.simdKernels.map(\.description).joined(separator: ", ")); "
            + "not supported by this CPU, not tested: \(skipped.isEmpty ? "none" : skipped.map(\.description).joined(separator: ", ")); "
            + "active: \(active)")
        #if arch(x86_64)
        #expect(ScoringKernel.sse2.isSupported)
        #expect(Self.simdKernels.count >= 1)
        #endif
        #expect(active != .scalar || Self.simdKernels.isEmpty)
    }

    @Test func scalarSemanticsOnASCII() {
        let text = Array("Hello, World_2! x\\ny AZaz09@[`{".utf8)
        let result = Self.classify(.scalar, text)
        #expect(result.lowered == Array("hello, world_2! x\\ny azaz09@[`{".utf8))
        // Word bytes: Hello(0-4) World_2(7-13) x(16) y(19) AZaz09(21-26); 'n' of "\n" is not.
        var expected: UInt64 = 0
        for i in [0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13, 16, 19, 21, 22, 23, 24, 25, 26] { expected |= 1 << UInt64(i) }
        #expect(result.bits == [expected])
    }

    @Test func everyByteValueInEveryPosition() {
        // Each byte value at every position of a 64-byte chunk, between word letters.
        for value in 0...255 {
            var bytes: [UInt8] = []
            for position in 0..<70 {
                var row = [UInt8](repeating: UInt8(ascii: "q"), count: 70)
                row[position] = UInt8(value)
                bytes += row
            }
            Self.expectKernelsAgree(bytes)
        }
        Self.expectKernelsAgree((0...255).map { UInt8($0) }, offsets: 0..<64)
    }

    @Test func everyLengthAroundTheVectorWidths() {
        var generator = SplitMix64(seed: 7)
        for length in 0...300 {
            let ascii = (0..<length).map { _ in asciiAlphabet[Int(generator.next() % UInt64(asciiAlphabet.count))] }
            Self.expectKernelsAgree(ascii)
            let mixed = randomUTF8(length: length, invalid: false, generator: &generator)
            Self.expectKernelsAgree(mixed)
        }
    }

    @Test func unalignedStarts() {
        var generator = SplitMix64(seed: 11)
        let ascii = (0..<700).map { _ in asciiAlphabet[Int(generator.next() % UInt64(asciiAlphabet.count))] }
        Self.expectKernelsAgree(ascii, offsets: 0..<130)
        let utf8 = randomUTF8(length: 700, invalid: false, generator: &generator)
        Self.expectKernelsAgree(utf8, offsets: 0..<130)
    }

    @Test func randomValidAndInvalidUTF8() {
        var generator = SplitMix64(seed: 42)
        for round in 0..<400 {
            let length = Int(generator.next() % 600)
            Self.expectKernelsAgree(randomUTF8(length: length, invalid: round % 2 == 1, generator: &generator))
        }
        // Multi-byte sequences that straddle each chunk boundary.
        let euro: [UInt8] = [0xE2, 0x82, 0xAC]
        let emoji: [UInt8] = [0xF0, 0x9F, 0x99, 0x82]
        for lead in 58...66 {
            for sequence in [euro, emoji, [0xC3, 0x89]] {
                let bytes = [UInt8](repeating: UInt8(ascii: "b"), count: lead) + sequence + Array("abc def".utf8)
                Self.expectKernelsAgree(bytes)
                Self.expectKernelsAgree(Array(bytes.dropLast(8)))  // truncated sequence at the end
            }
        }
    }

    /// ASCII text with one multi-byte sequence (valid of each length, lowered or not, word
    /// or not, or invalid) at every position of two chunks: the SIMD pass keeps the chunk's
    /// ASCII bytes and the sequence alone goes through the code point classifier, also when
    /// it runs on into the next chunk or is cut by the text's end.
    @Test func oneSequenceInASCIIAtEveryPosition() {
        let sequences: [[UInt8]] = [
            [0xC3, 0x89], [0xC3, 0xA9], [0xC2, 0xB2], [0xC2, 0xA0], [0xE2, 0x80, 0x9C], [0xE2, 0x84, 0xA6],
            [0xD0, 0x9C], [0xCE, 0x94], [0xF0, 0x9F, 0x99, 0x82], [0xF0, 0x90, 0x90, 0x80], [0x80], [0xFF],
            [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC3, 0x89, 0xC3, 0x89],
        ]
        let filler = Array("Ab_9 \\nQ".utf8)
        for sequence in sequences {
            for position in 0...130 {
                var bytes = (0..<position).map { filler[$0 % filler.count] }
                bytes += sequence
                bytes += (0..<(140 - position)).map { filler[($0 + 3) % filler.count] }
                Self.expectKernelsAgree(bytes)
                Self.expectKernelsAgree(Array(bytes.prefix(position + sequence.count - 1)))  // cut by the end
            }
        }
    }

    @Test func escapedNewlineAcrossChunkBoundaries() {
        for lead in 0...130 {
            let bytes = [UInt8](repeating: UInt8(ascii: "w"), count: lead) + Array("\\nnext\\\\n \\N".utf8)
            Self.expectKernelsAgree(bytes)
        }
    }

    @Test func veryLongTokensAndEmptyText() throws {
        let long = [UInt8](repeating: UInt8(ascii: "Z"), count: 100_000)
        Self.expectKernelsAgree(long)
        Self.expectKernelsAgree([])
        let scorer = try TFIDFScorer()
        #expect(scorer.tokens(of: String(decoding: long, as: UTF8.self)) == [String(repeating: "z", count: 100_000)])
        #expect(scorer.tokens(of: "") == [])
    }

    @Test func forcedKernelsScoreAlike() async throws {
        let reference = "The Eiffel Tower is 330 metres tall; it was built in 1889 for the World's Fair in Paris."
        let answer = "Built for the 1889 World's Fair, the tower in Paris stands about 330 m — café talk aside."
        var scores: [Double] = []
        for kernel in ScoringKernel.supported {
            try await ForcedKernel.with(kernel) {
                #expect(ScoringKernel.active == kernel)
                scores.append(try TFIDFScorer().score(answer: answer, reference: reference))
            }
        }
        #expect(Set(scores).count == 1)
        #expect(scores[0] > 0.2 && scores[0] < 0.9)
    }
}

let asciiAlphabet: [UInt8] = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ .,;:!?'\"-()[]{}\\n\t@#$%^&*+=/<>|~`".utf8)

/// Random text mixing ASCII with code points of every UTF-8 length; with `invalid`, also
/// stray continuation bytes, truncated sequences, overlong forms, surrogates and F5-FF.
func randomUTF8(length: Int, invalid: Bool, generator: inout SplitMix64) -> [UInt8] {
    let samples: [UInt32] = [0xE9, 0xC9, 0xDF, 0xD7, 0xF7, 0xB2, 0xBD, 0xA0, 0x100, 0x130, 0x17F, 0x391, 0x3A9, 0x3C9,
                             0x410, 0x42F, 0x451, 0x531, 0x5D0, 0x627, 0x905, 0x2013, 0x2014, 0x201C, 0x2026, 0x20AC,
                             0x2126, 0x212A, 0x2160, 0x3000, 0x3042, 0x4E2D, 0xFF21, 0xFF10, 0x1F642, 0x1F600,
                             0x10400, 0x1D400, 0x20000, 0x0301]
    var bytes: [UInt8] = []
    while bytes.count < length {
        let roll = generator.next() % 100
        if roll < 55 {
            bytes.append(asciiAlphabet[Int(generator.next() % UInt64(asciiAlphabet.count))])
        } else if roll < 90 || !invalid {
            let scalar = Unicode.Scalar(samples[Int(generator.next() % UInt64(samples.count))])!
            bytes += Array(String(Character(scalar)).utf8)
        } else {
            let broken: [[UInt8]] = [[0x80], [0xBF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x99], [0xC0, 0xAF],
                                     [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE],
                                     [0xF4, 0x90, 0x80, 0x80]]
            bytes += broken[Int(generator.next() % UInt64(broken.count))]
        }
    }
    return Array(bytes.prefix(length))
}

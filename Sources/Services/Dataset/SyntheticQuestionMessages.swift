import Foundation
import VeredictoCore

/// Deterministic `QuestionMessage`s in the pipeline's JSON (about 700 bytes each), with
/// pseudo-English text drawn from a Zipf-weighted vocabulary, so that compression sees text
/// about as repetitive as real questions and answers.
///
/// Keys (trace ids) and values are stored back to back in two flat buffers, so generating many
/// messages makes few allocations.
package struct SyntheticQuestionMessages {
    package private(set) var keyBytes: [UInt8] = []
    package private(set) var valueBytes: [UInt8] = []
    private(set) var keyEnds: [Int] = []
    private(set) var valueEnds: [Int] = []

    package var count: Int { valueEnds.count }

    package init(count: Int, seed: UInt64 = 0x5EED_2024) {
        var random = SplitMix64(seed: seed)
        let vocabulary = Self.vocabulary(using: &random)
        keyBytes.reserveCapacity(count * 32)
        valueBytes.reserveCapacity(count * 760)
        for index in 0..<count {
            let traceID = Self.hex(random.next()) + Self.hex(random.next())
            let messageID = Self.hex(random.next()) + Self.hex(random.next())
            let title = vocabulary.sentence(words: 7 + Int(random.next() % 6), using: &random) + "?"
            let content = vocabulary.sentence(words: 21 + Int(random.next() % 16), using: &random) + "."
            let answer = vocabulary.sentence(words: 40 + Int(random.next() % 26), using: &random) + "."
            // 2024-01-01T00:00:00Z + 37 s per message.
            let createdAt = Timestamp(millisecondsSinceEpoch: (1_704_067_200 + 37 * Int64(index)) * 1000)
            let message = QuestionMessage(messageID: messageID, traceID: traceID, questionID: "\(1_000_000 + index)",
                                          title: title, content: content, bestAnswer: answer, source: "yahoo_answers",
                                          createdAt: createdAt, attempts: 0)
            keyBytes.append(contentsOf: traceID.utf8)
            keyEnds.append(keyBytes.count)
            valueBytes.append(contentsOf: message.jsonBytes)
            valueEnds.append(valueBytes.count)
        }
    }

    /// Lends message `index`'s key and value bytes to `body`.
    package func withMessage<Result>(
        _ index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        let keyRange = (index == 0 ? 0 : keyEnds[index - 1])..<keyEnds[index]
        let valueRange = (index == 0 ? 0 : valueEnds[index - 1])..<valueEnds[index]
        return try keyBytes.withUnsafeBytes { keys in
            try valueBytes.withUnsafeBytes { values in
                try body(UnsafeRawBufferPointer(rebasing: keys[keyRange]),
                         UnsafeRawBufferPointer(rebasing: values[valueRange]))
            }
        }
    }

    private struct Vocabulary {
        let words: [String]
        let cumulativeWeights: [Double]

        func word(using random: inout SplitMix64) -> String {
            let target = random.unit() * cumulativeWeights[cumulativeWeights.count - 1]
            var low = 0
            var high = cumulativeWeights.count - 1
            while low < high {
                let middle = (low + high) / 2
                if cumulativeWeights[middle] < target { low = middle + 1 } else { high = middle }
            }
            return words[low]
        }

        func sentence(words count: Int, using random: inout SplitMix64) -> String {
            var text = ""
            for index in 0..<count {
                if index > 0 { text += " " }
                let word = word(using: &random)
                text += index == 0 ? word.prefix(1).uppercased() + word.dropFirst() : word
            }
            return text
        }
    }

    private static func vocabulary(using random: inout SplitMix64) -> Vocabulary {
        let common = """
            the a to of and is in it you that for i do how what on be can with my are if your this not or \
            have but they as at so there get from why was would an when will just me about does should like \
            one all no best good know way some think people time more make any out answer question help
            """.split(separator: " ").map(String.init)
        let syllables = ["ka", "to", "re", "mi", "sa", "lo", "ne", "vi", "da", "po", "ru", "te", "fa", "gi",
                         "ho", "ze", "bu", "an", "el", "or", "in", "us", "st", "tr", "pl", "ch", "sh", "qu",
                         "br", "ment", "tion", "ing"]
        var words = common
        var seen = Set(words)
        while words.count < 6000 {
            let length = [1, 2, 2, 3, 3, 4][Int(random.next() % 6)]
            let word = (0..<length).map { _ in syllables[Int(random.next() % UInt64(syllables.count))] }.joined()
            if seen.insert(word).inserted { words.append(word) }
        }
        var total = 0.0
        let cumulative = words.indices.map { rank -> Double in
            total += 1.0 / pow(Double(rank + 1), 1.05)
            return total
        }
        return Vocabulary(words: words, cumulativeWeights: cumulative)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

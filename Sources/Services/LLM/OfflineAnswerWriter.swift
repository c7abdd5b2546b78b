#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the offline model's answers: part of the reference answer, lightly paraphrased and
/// reordered, wrapped in the generic filler that language models add.
///
/// At quality `q` each reference word is kept with probability `sqrt(q)`, a kept word is replaced
/// by a generic one with probability `(1 - q) / 4`, sentences are shuffled a little, and half a
/// generic word is added per word dropped. So the TF-IDF similarity between the answer and the
/// reference grows with `q`: on Yahoo!-Answers-like text (pair IDF) the mean score is about
/// `0.1 + 0.75 q`, so a quality mean sets the share of answers above a score threshold.
struct OfflineAnswerWriter {
    /// Generic filler words per reference word dropped.
    var fillerRatio = 0.5
    /// A word is kept with probability `q^keepExponent`.
    var keepExponent = 0.5
    /// A kept word is replaced with probability `replaceRate * (1 - q)`.
    var replaceRate = 0.25

    func answer(reference: String, quality q: Double, using random: inout SplitMix64) -> String {
        let sentences = Self.sentences(of: reference)
        let wordCount = sentences.reduce(0) { $0 + $1.count }
        let keep = pow(q, keepExponent)
        var kept: [[Substring]] = []
        var dropped = 0
        for sentence in sentences {
            var out: [Substring] = []
            for word in sentence {
                if random.unit() >= keep {
                    dropped += 1
                } else if random.unit() < replaceRate * (1 - q) {
                    out.append(Substring(Self.pick(Self.genericWords, &random)))
                } else {
                    out.append(word)
                }
            }
            if !out.isEmpty { kept.append(out) }
        }
        // Shuffle a little: each sentence swaps with a random one with probability 1 - q.
        if kept.count > 1 {
            for index in kept.indices where random.unit() >= q {
                kept.swapAt(index, Int(random.next() % UInt64(kept.count)))
            }
        }
        var text = Self.pick(Self.openers, &random)
        var fillerWords = Int((Double(dropped) * fillerRatio).rounded()) + (wordCount == 0 ? 20 : 0)
        for sentence in kept {
            text += " " + Self.capitalized(sentence.joined(separator: " "))
            if let last = text.last, !".!?".contains(last) { text += "." }
            // Interleave filler between sentences, as a chatty answer does.
            if fillerWords > 0 && random.unit() < 0.3 {
                let filler = Self.pick(Self.fillerSentences, &random)
                text += " " + filler
                fillerWords -= Self.wordCount(filler)
            }
        }
        while fillerWords > 0 {
            let filler = Self.pick(Self.fillerSentences, &random)
            text += " " + filler
            fillerWords -= Self.wordCount(filler)
        }
        if random.unit() < 0.5 { text += " " + Self.pick(Self.closers, &random) }
        return text
    }

    /// The reference's words grouped by sentence (a word ending in `.`, `!` or `?` ends one). The
    /// dataset's escaped newlines (`\n`) separate words.
    static func sentences(of text: String) -> [[Substring]] {
        var sentences: [[Substring]] = []
        var current: [Substring] = []
        let words = text.replacing("\\n", with: " ").split(whereSeparator: { $0 == " " || $0.isNewline || $0 == "\t" })
        for word in words {
            current.append(word)
            if let last = word.last, ".!?".contains(last) {
                sentences.append(current)
                current = []
            }
        }
        if !current.isEmpty { sentences.append(current) }
        return sentences
    }

    private static func pick(_ list: [String], _ random: inout SplitMix64) -> String {
        list[Int(random.next() % UInt64(list.count))]
    }

    private static func capitalized(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }

    private static func wordCount(_ text: String) -> Int {
        text.split(separator: " ").count
    }

    static let openers = [
        "Good question.", "Here is what I know.", "Great question!", "Let me explain.", "Sure.",
        "That is a common question.", "Thanks for asking.", "Here is a short answer.",
    ]

    static let closers = [
        "I hope this helps!", "Good luck!", "Hope that answers your question.", "Let me know if you need more details.",
        "Best of luck with it.",
    ]

    static let fillerSentences = [
        "It really depends on your situation.",
        "In general, there are a few things to consider.",
        "Many people have had a similar experience.",
        "You may want to check with an expert as well.",
        "There are several different ways to look at it.",
        "It is important to keep this in mind.",
        "Everyone's circumstances are a little different.",
        "This is usually the best approach.",
        "Of course, results can vary from case to case.",
        "Try to find more information about your specific case.",
        "Make sure you understand all the options first.",
        "Some sources say otherwise, so be careful.",
        "That being said, nothing is guaranteed.",
        "Overall, it is worth thinking about carefully.",
    ]

    static let genericWords = [
        "thing", "stuff", "something", "generally", "usually", "really", "basically", "often", "probably",
        "certain", "various", "important", "simply", "overall", "typically", "option", "aspect", "factor",
    ]
}

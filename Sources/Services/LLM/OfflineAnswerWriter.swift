#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VeredictoCore

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
        // Works on UTF-8 bytes and flat arrays (words, and where each sentence ends): the
        // model answers every request of a load test, so it must cost little next to the
        // pipeline it feeds.
        let bytes = Array(reference.utf8)
        let (words, sentenceEnds) = Self.sentences(of: bytes)
        let keep = pow(q, keepExponent)
        var kept: [Word] = []
        kept.reserveCapacity(words.count)
        var keptEnds: [Int] = []  // sentence k of the answer is kept[keptEnds[k - 1]..<keptEnds[k]]
        keptEnds.reserveCapacity(sentenceEnds.count)
        var dropped = 0
        var start = 0
        for end in sentenceEnds {
            for word in words[start..<end] {
                if random.unit() >= keep {
                    dropped += 1
                } else if random.unit() < replaceRate * (1 - q) {
                    kept.append(.generic(Int(random.next() % UInt64(Self.genericWords.count))))
                } else {
                    kept.append(word)
                }
            }
            if kept.count > (keptEnds.last ?? 0) { keptEnds.append(kept.count) }
            start = end
        }
        // Shuffle a little: each sentence swaps with a random one with probability 1 - q.
        var order = Array(keptEnds.indices)
        if order.count > 1 {
            for index in order.indices where random.unit() >= q {
                order.swapAt(index, Int(random.next() % UInt64(order.count)))
            }
        }
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count + 256)
        text += Self.pick(Self.openers, &random).utf8
        var fillerWords = Int((Double(dropped) * fillerRatio).rounded()) + (words.isEmpty ? 20 : 0)
        for sentence in order {
            text.append(0x20)
            let sentenceStart = text.count
            let first = sentence == 0 ? 0 : keptEnds[sentence - 1]
            for index in first..<keptEnds[sentence] {
                if index > first { text.append(0x20) }
                switch kept[index] {
                case .reference(let range): text += bytes[range]
                case .generic(let choice): text += Self.genericWords[choice].utf8
                }
            }
            // Capitalize the sentence's first letter (ASCII).
            if sentenceStart < text.count, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(text[sentenceStart]) {
                text[sentenceStart] -= 0x20
            }
            if let last = text.last, last != UInt8(ascii: "."), last != UInt8(ascii: "!"), last != UInt8(ascii: "?") {
                text.append(UInt8(ascii: "."))
            }
            // Interleave filler between sentences, as a chatty answer does.
            if fillerWords > 0 && random.unit() < 0.3 {
                let filler = Int(random.next() % UInt64(Self.fillerSentences.count))
                text.append(0x20)
                text += Self.fillerSentences[filler].utf8
                fillerWords -= Self.fillerWordCounts[filler]
            }
        }
        while fillerWords > 0 {
            let filler = Int(random.next() % UInt64(Self.fillerSentences.count))
            text.append(0x20)
            text += Self.fillerSentences[filler].utf8
            fillerWords -= Self.fillerWordCounts[filler]
        }
        if random.unit() < 0.5 {
            text.append(0x20)
            text += Self.pick(Self.closers, &random).utf8
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A word of the answer: a byte range of the reference, or a generic word.
    enum Word {
        case reference(Range<Int>)
        case generic(Int)
    }

    /// The reference's words (byte ranges) and where each sentence ends in them (sentence k
    /// is words[ends[k - 1]..<ends[k]], none empty): a word ending in `.`, `!` or `?` ends
    /// one. Spaces, tabs, newlines and the dataset's escaped newline (`\n`) separate words.
    static func sentences(of bytes: [UInt8]) -> (words: [Word], ends: [Int]) {
        var words: [Word] = []
        words.reserveCapacity(bytes.count / 4)
        var ends: [Int] = []
        var start = -1
        var index = 0
        func endWord(at end: Int) {
            guard start >= 0 else { return }
            words.append(.reference(start..<end))
            let last = bytes[end - 1]
            if last == UInt8(ascii: ".") || last == UInt8(ascii: "!") || last == UInt8(ascii: "?") {
                ends.append(words.count)
            }
            start = -1
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                endWord(at: index)
                index += 1
            } else if byte == UInt8(ascii: "\\") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "n") {
                endWord(at: index)
                index += 2
            } else {
                if start < 0 { start = index }
                index += 1
            }
        }
        endWord(at: bytes.count)
        if words.count > (ends.last ?? 0) { ends.append(words.count) }
        return (words, ends)
    }

    static let fillerWordCounts = fillerSentences.map { $0.split(separator: " ").count }

    private static func pick(_ list: [String], _ random: inout SplitMix64) -> String {
        list[Int(random.next() % UInt64(list.count))]
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VeredictoCore

/// Generates Yahoo!-Answers-like text for scale tests and benchmarks: English-shaped
/// sentences over a Zipf-distributed vocabulary (common function words, then made-up
/// words built from syllables, with per-topic vocabularies), answer lengths log-normal
/// with a median of about 60 words and a long tail past 1,000 words, occasional digits,
/// apostrophes, escaped newlines (`\n`) and accented words.
///
/// Deterministic in its seed. The real dataset cannot be redistributed; this stands in for
/// it at any size.
public struct SyntheticText: Sendable {
    private var random: SplitMix64
    private let vocabulary: [String]
    private let topics: Int
    private let topicVocabulary: [[String]]
    private let zipfTable: [Double]  // cumulative Zipf weights over `vocabulary`

    /// Median and spread (log-space sigma) of answer lengths in words.
    public var medianAnswerWords = 60.0
    public var answerSigma = 1.0
    public var maximumAnswerWords = 3000

    public init(seed: UInt64, topics: Int = 10) {
        var random = SplitMix64(seed: seed)
        var made = Set<String>()
        var words = Self.functionWords
        let syllables = Self.syllables
        // About 20,000 made-up content words; word lengths follow English's (mean ~5 letters).
        while words.count < 20_000 {
            let count = 1 + Int(random.next() % 100 < 35 ? 0 : random.next() % 100 < 70 ? 1 : 2)
            var word = ""
            for _ in 0..<count { word += syllables[Int(random.next() % UInt64(syllables.count))] }
            if word.count >= 2, made.insert(word).inserted { words.append(word) }
        }
        words += Self.accentedWords
        vocabulary = words
        self.topics = topics
        var perTopic: [[String]] = []
        for _ in 0..<topics {
            perTopic.append((0..<300).map { _ in words[Self.functionWords.count + Int(random.next() % 15_000)] })
        }
        topicVocabulary = perTopic
        var cumulative: [Double] = []
        cumulative.reserveCapacity(words.count)
        var total = 0.0
        for rank in 1...words.count {
            total += 1.0 / pow(Double(rank), 1.07)
            cumulative.append(total)
        }
        zipfTable = cumulative.map { $0 / total }
        self.random = random
    }

    /// A word drawn by Zipf rank over the whole vocabulary.
    private mutating func commonWord() -> String {
        let u = random.unit()
        var lo = 0, hi = zipfTable.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if zipfTable[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return vocabulary[lo]
    }

    /// Number of words of an answer.
    public mutating func answerLength() -> Int {
        let words = medianAnswerWords * exp(answerSigma * random.normal())
        return min(maximumAnswerWords, max(1, Int(words.rounded())))
    }

    /// A text of `words` words on `topic`: sentences of 5-25 words, 35% topic words.
    public mutating func text(words: Int, topic: Int, from pool: [String] = []) -> String {
        var out = ""
        out.reserveCapacity(words * 7)
        var sentenceLeft = 0
        var startOfSentence = true
        for index in 0..<words {
            if sentenceLeft == 0 {
                sentenceLeft = 5 + Int(random.next() % 21)
                if index > 0 {
                    let roll = random.next() % 100
                    out += roll < 75 ? ". " : roll < 85 ? "? " : roll < 92 ? "! " : ".\\n"
                }
                startOfSentence = true
            } else if index > 0 {
                out += random.next() % 100 < 8 ? ", " : " "
            }
            var word: String
            let roll = random.next() % 100
            if !pool.isEmpty && roll < 55 {
                word = pool[Int(random.next() % UInt64(pool.count))]
            } else if roll < 75 {
                let vocabulary = topicVocabulary[topic % topics]
                word = vocabulary[Int(random.next() % UInt64(vocabulary.count))]
            } else if roll < 77 {
                word = String(random.next() % 2000)
            } else {
                word = commonWord()
            }
            if random.next() % 100 < 2 { word += "'s" }
            if startOfSentence {
                word = word.prefix(1).uppercased() + word.dropFirst()
                startOfSentence = false
            }
            out += word
            sentenceLeft -= 1
        }
        out += "."
        return out
    }

    /// A human best answer and an LLM-like answer to the same question: the LLM answer
    /// reuses words of the reference (`overlap` of its words) and adds its own.
    public mutating func pair(topic: Int, overlap: Double = 0.5) -> (reference: String, answer: String) {
        let reference = text(words: answerLength(), topic: topic)
        let referenceWords = reference.split(whereSeparator: { !$0.isLetter }).map(String.init)
        let answerWords = answerLength()
        var pool: [String] = []
        if !referenceWords.isEmpty && overlap > 0 {
            let take = max(1, Int(Double(referenceWords.count) * overlap))
            pool = (0..<take).map { _ in referenceWords[Int(random.next() % UInt64(referenceWords.count))] }
        }
        return (reference, text(words: answerWords, topic: topic, from: pool))
    }

    /// A dataset row: a question title, a content (empty one time in ten) and a best answer.
    public mutating func row() -> YahooRow {
        let topic = Int(random.next() % UInt64(topics))
        let titleWords = 5 + Int(random.next() % 10)
        var title = text(words: titleWords, topic: topic)
        title.removeLast()
        title += "?"
        let content = random.next() % 10 == 0 ? "" : text(words: 5 + Int(random.next() % 60), topic: topic)
        return YahooRow(classIndex: topic % 10 + 1, title: title, content: content,
                        bestAnswer: text(words: answerLength(), topic: topic))
    }

    static let functionWords = """
        the of and to a in is it you that he was for on are with as i his they be at one have this from or had by \
        not but what some we can out other were all there when up use your how said an each she which do their \
        time if will way about many then them would write like so these her long make thing see him two has look \
        more day could go come did my no most who over know than call first people may down side been now find any \
        new work part take get place made live where after back little only round man year came show every good me \
        give our under name very through just form much great think say help low line before turn cause same mean \
        differ move right boy old too does tell sentence set three want air well also play small end put home read \
        hand port large spell add even land here must big high such follow act why ask men change went light kind \
        off need house picture try us again animal point mother world near build self earth father head stand own \
        page should country found answer school grow study still learn plant cover food sun four thought let keep \
        eye never last door between city tree cross since hard start might story saw far sea draw left late run \
        don't while press close night real life few stop open seem together next white children begin got walk \
        example ease paper often always music those both mark book letter until mile river car feet care second \
        group carry took rain eat room friend began idea fish mountain north once base hear horse cut sure watch \
        color face wood main enough plain girl usual young ready above ever red list though feel talk bird soon \
        body dog family direct pose leave song measure state product black short numeral class wind question \
        happen complete ship area half rock order fire south problem piece told knew pass farm top whole king \
        size heard best hour better true during hundred am remember step early hold west ground interest reach \
        fast five sing listen six table travel less morning ten simple several vowel toward war lay against \
        pattern slow center love person money serve appear road map science rule govern pull cold notice voice \
        fall power town fine certain fly unit lead cry dark machine note wait plan figure star box noun field \
        rest correct able pound done beauty drive stood contain front teach week final gave green oh quick \
        develop sleep warm free minute strong special mind behind clear tail produce fact street inch lot \
        nothing course stay wheel full force blue object decide surface deep moon island foot yet busy test \
        record boat common gold possible plane age dry wonder laugh thousand ago ran check game shape yes hot \
        miss brought heat snow bed bring sit perhaps fill east weight language among
        """.split(separator: " ").map { String($0) }

    static let syllables = [
        "ba", "be", "bi", "bo", "bu", "ca", "ce", "co", "da", "de", "di", "do", "fa", "fe", "fi", "ga", "ge", "go",
        "ha", "he", "hi", "ja", "jo", "ka", "ke", "ki", "la", "le", "li", "lo", "lu", "ma", "me", "mi", "mo", "mu",
        "na", "ne", "ni", "no", "nu", "pa", "pe", "pi", "po", "ra", "re", "ri", "ro", "ru", "sa", "se", "si", "so",
        "su", "ta", "te", "ti", "to", "tu", "va", "ve", "vi", "wa", "we", "za", "ton", "ment", "ing", "er", "al",
        "tion", "ous", "ent", "ard", "ist", "ver", "ber", "ster", "ly", "ness", "ble", "ick", "ash", "ond", "ight",
    ]

    static let accentedWords = ["café", "naïve", "résumé", "São", "Zürich", "jalapeño", "crème", "déjà", "façade",
                                "Ωmega", "Москва", "Δέλτα", "entrée", "piñata"]
}

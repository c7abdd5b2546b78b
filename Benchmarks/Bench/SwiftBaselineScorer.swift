/// The straightforward pure-Swift TF-IDF the benchmark measures the C core against: Swift
/// strings, `lowercased()`, a split on non-word characters and dictionaries of terms, with
/// the pair-mode IDF of scikit-learn.
struct SwiftBaselineScorer {
    func tokens(_ text: String) -> [String] {
        text.replacing("\\n", with: " ").lowercased()
            .split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
            .filter { $0.count >= 2 }
            .map(String.init)
    }

    func score(answer: String, reference: String) -> Double {
        var referenceCounts: [String: Double] = [:]
        var answerCounts: [String: Double] = [:]
        for token in tokens(reference) { referenceCounts[token, default: 0] += 1 }
        for token in tokens(answer) { answerCounts[token, default: 0] += 1 }
        if referenceCounts.isEmpty || answerCounts.isEmpty { return 0 }
        func idf(_ term: String) -> Double {
            let df = (referenceCounts[term] != nil ? 1.0 : 0) + (answerCounts[term] != nil ? 1.0 : 0)
            return log(3.0 / (1.0 + df)) + 1.0
        }
        var dot = 0.0, referenceNorm = 0.0, answerNorm = 0.0
        for (term, count) in referenceCounts {
            let weight = count * idf(term)
            referenceNorm += weight * weight
            if let other = answerCounts[term] { dot += weight * other * idf(term) }
        }
        for (term, count) in answerCounts {
            let weight = count * idf(term)
            answerNorm += weight * weight
        }
        return dot / (referenceNorm.squareRoot() * answerNorm.squareRoot())
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import Foundation
import Testing

@testable import Scoring

/// Corpus IDF: smoothed IDF ln((1 + N) / (1 + df)) + 1 over the documents of the model.
@Suite struct CorpusModeTests {
    // N = 3; df: the 3, sat 2, cat 1, dog 1, bird 1, flew 1.
    static let corpus = ["The cat sat.", "the dog sat", "THE bird flew"]

    @Test func documentFrequenciesAndIDF() throws {
        let model = try IDFModel.build(from: Self.corpus)
        #expect(model.documentCount == 3)
        #expect(model.termCount == 6)
        #expect(model.documentFrequency(of: "the") == 3)
        #expect(model.documentFrequency(of: "sat") == 2)
        #expect(model.documentFrequency(of: "cat") == 1)
        #expect(model.documentFrequency(of: "zebra") == 0)
        // ln(4/4) + 1, ln(4/3) + 1, ln(4/2) + 1, and an unknown term: ln(4/1) + 1.
        #expect(abs(model.idf(of: "the") - 1.0) < 1e-12)
        #expect(abs(model.idf(of: "sat") - 1.2876820724517808) < 1e-12)
        #expect(abs(model.idf(of: "cat") - 1.6931471805599454) < 1e-12)
        #expect(abs(model.idf(of: "zebra") - 2.386294361119891) < 1e-12)
    }

    @Test func handComputedCosines() throws {
        let scorer = try TFIDFScorer(model: try IDFModel.build(from: Self.corpus))
        // "the cat sat" vs "the dog sat": weights the 1, cat/dog a = 1.6931..., sat s = 1.2877...
        // cosine = (1 + s²) / (1 + a² + s²) = 2.6581... / 5.5248... = 0.48111972217254295.
        #expect(abs(scorer.score(answer: "the dog sat", reference: "the cat sat") - 0.48111972217254295) < 1e-12)
        // Term frequency counts: "cat cat" vs "cat" is still parallel.
        #expect(abs(scorer.score(answer: "cat cat", reference: "cat") - 1.0) < 1e-12)
        // "the cat" vs "the": 1 / sqrt(1 + a²) = 1 / 1.96643... = 0.50854...
        #expect(abs(scorer.score(answer: "the", reference: "the cat") - 0.5085423203783267) < 1e-12)
        // Unknown words weigh the most: "zebra the" vs "zebra" = u / sqrt(u² + 1), u = 2.3863.
        #expect(abs(scorer.score(answer: "zebra", reference: "zebra the") - 0.92229140312174) < 1e-12)
        #expect(scorer.score(answer: "", reference: "the cat") == 0)
        #expect(scorer.score(answer: "dog", reference: "cat") == 0)
    }

    @Test func sparseVectorsAgreeWithPairScoring() throws {
        let documents = try ParityTests.fixture().prefix(300).map(\.reference)
        let model = try IDFModel.build(from: documents)
        let scorer = try TFIDFScorer(model: model)
        let vectorizer = try SparseVectorizer(model: model)
        for item in try ParityTests.fixture().prefix(200) {
            let direct = scorer.score(answer: item.answer, reference: item.reference)
            let viaVectors = vectorizer.vector(of: item.reference).dot(vectorizer.vector(of: item.answer))
            #expect(abs(direct - viaVectors) < 1e-9)
        }
    }

    @Test func modelFileRoundTrip() throws {
        let model = try IDFModel.build(from: try ParityTests.fixture().map(\.reference), minimumDocumentFrequency: 2)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("veredicto-\(UUID()).idf").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try IDFModel(loading: path)
        #expect(loaded.documentCount == model.documentCount)
        #expect(loaded.termCount == model.termCount)
        #expect(loaded.termCount > 100)
        for token in ["the", "water", "because", "café", "zzzunknown"] {
            #expect(loaded.documentFrequency(of: token) == model.documentFrequency(of: token))
            #expect(loaded.idf(of: token) == model.idf(of: token))
        }
        // Terms below the minimum df are not kept.
        let once = try IDFModel.build(from: ["alpha beta", "alpha gamma"], minimumDocumentFrequency: 2)
        #expect(once.termCount == 1)
    }

    @Test func damagedModelFilesAreRejectedWithTheReason() throws {
        let model = try IDFModel.build(from: Self.corpus)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("veredicto-\(UUID()).idf").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))

        var flipped = bytes
        flipped[bytes.count - 3] ^= 0x5A
        #expect(throws: ScoringError.self) { try IDFModel(bytes: flipped) }

        var badSum = bytes
        badSum[50] ^= 0x01  // the stored checksum
        let checksum = #expect(throws: ScoringError.self) { try IDFModel(bytes: badSum) }
        #expect(checksum?.code == .checksum)

        let truncated = #expect(throws: ScoringError.self) { try IDFModel(bytes: Array(bytes.prefix(40))) }
        #expect(truncated?.code == .format)

        var version = bytes
        version[8] = 9
        let wrongVersion = #expect(throws: ScoringError.self) { try IDFModel(bytes: version) }
        #expect(wrongVersion?.code == .version)

        let missing = #expect(throws: ScoringError.self) { try IDFModel(loading: "/nonexistent/model.idf") }
        #expect(missing?.code == .io)
        #expect(missing?.description.contains("/nonexistent/model.idf") == true)
    }
}

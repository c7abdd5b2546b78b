import Foundation
import Testing

@testable import Scoring

/// `pair` mode equals scikit-learn's TfidfVectorizer().fit([reference, answer]) + cosine.
/// Expected scores come from scripts/make_parity_fixture.py, which runs scikit-learn.
@Suite struct ParityTests {
    struct Case {
        let reference: String
        let answer: String
        let score: Double
    }

    static func fixture() throws -> [Case] {
        let url = try #require(Bundle.module.url(forResource: "pair_parity", withExtension: "jsonl", subdirectory: "Fixtures"))
        let data = try Data(contentsOf: url)
        return try data.split(separator: 0x0A).map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            return Case(reference: try #require(object["reference"] as? String),
                        answer: try #require(object["answer"] as? String),
                        score: try #require((object["score"] as? NSNumber)?.doubleValue))
        }
    }

    @Test func everyFixturePairMatchesScikitLearn() throws {
        let cases = try Self.fixture()
        #expect(cases.count >= 1000)
        let scorer = try TFIDFScorer()
        var failures = 0
        for (index, item) in cases.enumerated() {
            let score = scorer.score(answer: item.answer, reference: item.reference)
            if abs(score - item.score) > 1e-6 {
                failures += 1
                if failures <= 5 {
                    Issue.record("pair \(index + 1): expected \(item.score), got \(score)")
                }
            }
        }
        #expect(failures == 0)
    }

    @Test func batchScoringEqualsOneByOne() throws {
        let cases = try Self.fixture()
        let scorer = try TFIDFScorer()
        var batch = ScoringBatch()
        for item in cases { batch.append(reference: item.reference, answer: item.answer) }
        let scores = scorer.score(batch)
        #expect(scores.count == cases.count)
        for (index, item) in cases.enumerated() {
            #expect(scores[index] == scorer.score(answer: item.answer, reference: item.reference))
        }
    }

    @Test func fixtureCoversAWideRangeOfScores() throws {
        // A fixture of near-identical or unrelated texts only would prove little.
        let scores = try Self.fixture().map(\.score)
        #expect(scores.filter { $0 > 0.1 && $0 < 0.6 }.count >= 300)
        #expect(scores.contains(0))
        #expect(scores.contains { $0 > 0.999 })
    }

    @Test func noAllocationOncePerPairOnceWarm() throws {
        let cases = try Self.fixture()
        let scorer = try TFIDFScorer()
        var batch = ScoringBatch()
        for item in cases { batch.append(reference: item.reference, answer: item.answer) }
        var scores: [Double] = []
        scorer.score(batch, into: &scores)
        let warm = scorer.arenaAllocations
        for _ in 0..<3 { scorer.score(batch, into: &scores) }
        #expect(scorer.arenaAllocations == warm)
    }
}

import Testing
import TestSupport

@testable import Mongo

/// Measures bulk upserts of result documents of realistic size (about 1 KB) against the
/// server of scripts/test-env.sh, and prints the rate. Only counts are asserted: the rate
/// depends on the machine and, with SecantusDB (a Python server), mostly on the server.
@Suite(.serialized, .timeLimit(.minutes(5))) struct BulkUpsertThroughputTests {
    static let documentCount = 10_000
    static let batchSize = 500

    /// Deterministic filler text from a small vocabulary (xorshift), about `length` bytes.
    struct FillerText {
        static let words = [
            "the", "answer", "water", "because", "light", "people", "would", "question", "about", "really",
            "should", "think", "depends", "usually", "energy", "system", "better", "computer", "different",
            "problem", "scattering", "atmosphere", "doctor", "recipe", "music", "history", "number", "simple",
        ]
        var state: UInt64

        mutating func next(_ length: Int) -> String {
            var text = ""
            while text.utf8.count < length {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                if !text.isEmpty { text += " " }
                text += Self.words[Int(state % UInt64(Self.words.count))]
            }
            return text
        }
    }

    /// The upsert the store service makes for one validated answer of question `index`; the
    /// text differs per question and per round.
    static func resultUpsert(_ index: Int, round: Int) -> BulkWriteOperation {
        var text = FillerText(state: 0x9E37_79B9_7F4A_7C15 &+ UInt64(index &* 31 &+ round))
        let now: Int64 = 1_760_000_000_000 + Int64(round * 60_000)
        let id = String(format: "%08d", index)
        let score = Double(index % 1000) / 1000
        let update = BSONDocument([
            "$set": [
                "question_id": .string(id),
                "trace_id": .string("7f3c2a1e-0000-4000-8000-\(String(format: "%012d", index))"),
                "title": .string(text.next(60)),
                "content": .string(text.next(150)),
                "best_answer": .string(text.next(240)),
                "llm_answer": .string(text.next(240)),
                "score": .double(score),
                "first_score": .double(score / 2),
                "attempts": .int32(Int32(1 + index % 3)),
                "status": .string(score >= 0.65 ? "accepted" : "forced"),
                "source": "score",
                "decided_at": .date(milliseconds: now),
                "stored_at": .date(milliseconds: now),
                "e2e_latency_ms": .double(12.5),
            ],
            "$setOnInsert": ["created_at": .date(milliseconds: now - 40)],
            "$inc": ["times_asked": 1],
        ])
        return .updateOne(filter: BSONDocument(["_id": .string(id)]), update: update, upsert: true)
    }

    /// Upserts every document in batches, `concurrency` bulk writes in flight; returns the
    /// summed result and the upserts per second (building the documents included).
    static func upsertAll(round: Int, into db: MongoDatabase, concurrency: Int) async throws -> (BulkWriteResult, Double) {
        let starts = Array(stride(from: 0, to: documentCount, by: batchSize).reversed())
        var pending = starts[...]
        var total = BulkWriteResult()
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: BulkWriteResult.self) { group in
            func startNext() {
                guard let first = pending.popLast() else { return }
                group.addTask {
                    let batch = (first..<min(first + batchSize, documentCount)).map { resultUpsert($0, round: round) }
                    return try await db.bulkWrite(collection: "results", operations: batch, ordered: false)
                }
            }
            for _ in 0..<concurrency { startNext() }
            for try await result in group {
                total.matchedCount += result.matchedCount
                total.modifiedCount += result.modifiedCount
                total.upsertedCount += result.upsertedCount
                total.writeErrors += result.writeErrors
                startNext()
            }
        }
        let seconds = (clock.now - start) / .seconds(1)
        return (total, Double(documentCount) / seconds)
    }

    @Test(arguments: [1, 2])
    func bulkUpsertsOfResultDocuments(concurrency: Int) async throws {
        try await TestMongoServer.withDatabase("throughput", threadCount: concurrency) { db in
            let (inserted, insertRate) = try await Self.upsertAll(round: 0, into: db, concurrency: concurrency)
            #expect(inserted.upsertedCount == Self.documentCount)
            #expect(inserted.writeErrors.isEmpty)
            let (updated, updateRate) = try await Self.upsertAll(round: 1, into: db, concurrency: concurrency)
            #expect(updated.matchedCount == Self.documentCount)
            #expect(updated.modifiedCount == Self.documentCount)
            #expect(try await db.count(collection: "results") == Self.documentCount)
            #expect(try await db.count(collection: "results", filter: BSONDocument(["times_asked": 2])) == Self.documentCount)
            let bytes = try #require(try await db.findOne(collection: "results", id: "00000000")).byteCount
            #expect((800...1300).contains(bytes))

            // The client's share: building the same operations without sending them.
            let clock = ContinuousClock()
            let buildStart = clock.now
            let built = (0..<Self.documentCount).map { Self.resultUpsert($0, round: 2) }
            let buildRate = Double(built.count) / ((clock.now - buildStart) / .seconds(1))

            print(
                "bulk upserts, \(Self.documentCount) result documents of \(bytes) B in batches of \(Self.batchSize), "
                    + "\(concurrency) in flight: \(Int(insertRate.rounded()))/s inserting, "
                    + "\(Int(updateRate.rounded()))/s updating; building them alone: \(Int(buildRate.rounded()))/s")
        }
    }
}

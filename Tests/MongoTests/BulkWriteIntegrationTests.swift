import Testing
import TestSupport

@testable import Mongo

/// Bulk writes against the server of scripts/test-env.sh.
@Suite(.timeLimit(.minutes(3))) struct BulkWriteIntegrationTests {
    static func upserts(_ count: Int, round: Int = 0) -> [BulkWriteOperation] {
        (0..<count).map { index in
            .updateOne(
                filter: BSONDocument(["_id": .string("q\(index)")]),
                update: BSONDocument([
                    "$set": ["title": .string("question \(index)"), "score": .double(Double(index % 100) / 100)],
                    "$setOnInsert": ["created_round": .int64(Int64(round))],
                ]),
                upsert: true)
        }
    }

    @Test func bulkUpsertOf5000ThenCountAndRepeatChangesNothing() async throws {
        try await TestMongoServer.withDatabase("bulk") { db in
            let first = try await db.bulkWrite(collection: "results", operations: Self.upserts(5_000), ordered: false)
            #expect(first.upsertedCount == 5_000)
            #expect(first.matchedCount == 0)
            #expect(first.writeErrors.isEmpty)
            #expect(first.upsertedIDs[4_999] == .string("q4999"))
            #expect(try await db.count(collection: "results") == 5_000)

            let again = try await db.bulkWrite(
                collection: "results", operations: Self.upserts(5_000, round: 1), ordered: false)
            #expect(again.upsertedCount == 0)
            #expect(again.matchedCount == 5_000)
            #expect(again.modifiedCount == 0)
            #expect(try await db.count(collection: "results") == 5_000)
            let sample = try #require(try await db.findOne(collection: "results", id: "q42"))
            #expect(sample["created_round"] == .int64(0))
            #expect(sample["score"] == .double(0.42))
        }
    }

    @Test func insertManyUnorderedReportsExactlyTheDuplicates() async throws {
        try await TestMongoServer.withDatabase("dups") { db in
            let existing = (0..<10).map { BSONDocument(["_id": .string("d\($0 * 3)"), "v": "old"]) }
            let seeded = try await db.insertMany(collection: "items", documents: existing)
            #expect(seeded.insertedCount == 10)
            #expect(seeded.duplicateIndices.isEmpty)

            // d0...d29: every third _id exists already.
            let batch = (0..<30).map { BSONDocument(["_id": .string("d\($0)"), "v": "new"]) }
            let result = try await db.insertMany(collection: "items", documents: batch, ordered: false)
            #expect(result.duplicateIndices == Array(stride(from: 0, to: 30, by: 3)))
            #expect(result.writeErrors.allSatisfy { $0.code == MongocError.duplicateKeyCode })
            #expect(result.insertedCount == 20)
            #expect(try await db.count(collection: "items") == 30)
            #expect(try await db.count(collection: "items", filter: BSONDocument(["v": "old"])) == 10)
        }
    }

    @Test func orderedBulkStopsAtTheFirstDuplicate() async throws {
        try await TestMongoServer.withDatabase("ordered") { db in
            _ = try await db.insertMany(collection: "c", documents: [BSONDocument(["_id": "b"])])
            let result = try await db.bulkWrite(
                collection: "c",
                operations: ["a", "b", "c"].map { .insertOne(BSONDocument(["_id": .string($0)])) },
                ordered: true)
            #expect(result.insertedCount == 1)
            #expect(result.duplicateKeyIndices == [1])
            #expect(try await db.count(collection: "c") == 2)
        }
    }

    @Test func mixedOperationsCountEachKind() async throws {
        try await TestMongoServer.withDatabase("mixed") { db in
            _ = try await db.insertMany(collection: "c", documents: (0..<3).map { BSONDocument(["_id": .int64(Int64($0)), "n": 0]) })
            let result = try await db.bulkWrite(
                collection: "c",
                operations: [
                    .insertOne(BSONDocument(["_id": 10])),
                    .updateOne(filter: BSONDocument(["_id": 0]), update: BSONDocument(["$inc": ["n": 5]])),
                    .updateOne(filter: BSONDocument(["_id": 99]), update: BSONDocument(["$inc": ["n": 1]])),
                    .replaceOne(filter: BSONDocument(["_id": 1]), replacement: BSONDocument(["r": true])),
                    .replaceOne(filter: BSONDocument(["_id": 20]), replacement: BSONDocument(["r": true]), upsert: true),
                ],
                ordered: true)
            #expect(result.insertedCount == 1)
            #expect(result.matchedCount == 2)
            #expect(result.modifiedCount == 2)
            #expect(result.upsertedCount == 1)
            #expect(result.upsertedIDs == [4: .int64(20)])
            #expect(try await db.findOne(collection: "c", id: 1)?["r"] == .bool(true))
        }
    }

    @Test func invalidOperationIsThrownBeforeAnythingIsSent() async throws {
        try await TestMongoServer.withDatabase("invalid") { db async throws in
            await #expect {
                try await db.bulkWrite(
                    collection: "c",
                    operations: [.updateOne(filter: BSONDocument(["_id": 1]), update: BSONDocument(["plain": 1]))])
            } throws: { error in
                (error as? MongocError)?.code == .invalidArgument
            }
            #expect(try await db.count(collection: "c") == 0)
        }
    }
}

import Testing
import TestSupport

@testable import Mongo

/// The update operators and filters the store service relies on, against the server of
/// scripts/test-env.sh.
@Suite(.timeLimit(.minutes(5))) struct UpdateOperatorIntegrationTests {
    /// One update-one of `update` on `_id` "x" (upserting), then the document.
    static func update(
        _ db: MongoDatabase, filter: sending BSONDocument = BSONDocument(["_id": "x"]), _ update: sending BSONDocument,
        upsert: Bool = true, arrayFilters: sending [BSONDocument] = []
    ) async throws -> (BulkWriteResult, BSONDocument?) {
        let result = try await db.bulkWrite(
            collection: "c",
            operations: [.updateOne(filter: filter, update: update, upsert: upsert, arrayFilters: arrayFilters)])
        return (result, try await db.findOne(collection: "c", id: "x"))
    }

    @Test func incrementAddsToACounter() async throws {
        try await TestMongoServer.withDatabase("inc") { db in
            _ = try await Self.update(db, BSONDocument(["$inc": ["times_asked": 1]]))
            let (result, document) = try await Self.update(db, BSONDocument(["$inc": ["times_asked": 2, "score_sum": 0.5]]))
            #expect(result.modifiedCount == 1)
            #expect(document?["times_asked"]?.int64Value == 3)
            #expect(document?["score_sum"]?.doubleValue == 0.5)
        }
    }

    @Test func setOnInsertWritesOnlyOnInsert() async throws {
        try await TestMongoServer.withDatabase("soi") { db in
            _ = try await Self.update(db, BSONDocument(["$set": ["v": 1], "$setOnInsert": ["created_at": "first"]]))
            let (result, document) = try await Self.update(
                db, BSONDocument(["$set": ["v": 2], "$setOnInsert": ["created_at": "second"]]))
            #expect(result.matchedCount == 1 && result.upsertedCount == 0)
            #expect(document?["created_at"] == "first")
            #expect(document?["v"] == .int64(2))
        }
    }

    @Test func maxKeepsTheLargerValue() async throws {
        try await TestMongoServer.withDatabase("max") { db in
            _ = try await Self.update(db, BSONDocument(["$max": ["attempts": 3]]))
            let (lower, afterLower) = try await Self.update(db, BSONDocument(["$max": ["attempts": 2]]))
            #expect(lower.modifiedCount == 0)
            #expect(afterLower?["attempts"]?.int64Value == 3)
            let (_, afterHigher) = try await Self.update(db, BSONDocument(["$max": ["attempts": 5]]))
            #expect(afterHigher?["attempts"]?.int64Value == 5)
        }
    }

    @Test func pushWithSliceKeepsTheLastEntries() async throws {
        try await TestMongoServer.withDatabase("push") { db in
            var document: BSONDocument?
            for value in 1...5 {
                (_, document) = try await Self.update(
                    db, BSONDocument(["$push": ["recent": ["$each": [.int64(Int64(value))], "$slice": -3]]]))
            }
            #expect(document?["recent"] == [3, 4, 5])
        }
    }

    @Test func notEqualFilterMakesARedeliveryANoOp() async throws {
        try await TestMongoServer.withDatabase("ne") { db in
            _ = try await Self.update(db, BSONDocument(["$set": ["last_message": "m0"], "$inc": ["n": 1]]))
            let guarded = BSONDocument(["_id": "x", "last_message": ["$ne": "m1"]])
            let update = BSONDocument(["$set": ["last_message": "m1"], "$inc": ["n": 1]])
            let (first, _) = try await Self.update(db, filter: guarded, update, upsert: false)
            let (again, document) = try await Self.update(
                db, filter: BSONDocument(["_id": "x", "last_message": ["$ne": "m1"]]),
                BSONDocument(["$set": ["last_message": "m1"], "$inc": ["n": 1]]), upsert: false)
            #expect(first.modifiedCount == 1)
            #expect(again.matchedCount == 0 && again.modifiedCount == 0)
            #expect(document?["n"]?.int64Value == 2)
            #expect(try await db.count(collection: "c", filter: BSONDocument(["n": ["$ne": 2]])) == 0)

            // The same guard with upsert: a redelivery matches nothing, so the server tries to
            // insert _id "x" again and reports a duplicate key, which the caller can take as
            // "already applied".
            let (upserted, unchanged) = try await Self.update(
                db, filter: BSONDocument(["_id": "x", "last_message": ["$ne": "m1"]]),
                BSONDocument(["$set": ["last_message": "m1"], "$inc": ["n": 1]]), upsert: true)
            #expect(upserted.duplicateKeyIndices == [0])
            #expect(unchanged?["n"]?.int64Value == 2)
        }
    }

    @Test func arrayFiltersUpdateMatchingElements() async throws {
        try await TestMongoServer.withDatabase("af") { db in
            _ = try await Self.update(
                db, BSONDocument(["$set": ["attempts": [["n": 1, "score": 0.2], ["n": 2, "score": 0.3]]]]))
            let (result, document) = try await Self.update(
                db, BSONDocument(["$set": ["attempts.$[a].score": 0.9]]),
                arrayFilters: [BSONDocument(["a.n": 2])])
            #expect(result.modifiedCount == 1)
            #expect(document?["attempts"]?[1]?["score"] == .double(0.9))
            #expect(document?["attempts"]?[0]?["score"] == .double(0.2))
        }
    }
}

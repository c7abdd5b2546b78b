import Testing
import TestSupport

@testable import Mongo

/// Reads, aggregation, indexes and drops against the server of scripts/test-env.sh.
@Suite(.timeLimit(.minutes(5))) struct QueryIntegrationTests {
    @Test func pingAnswers() async throws {
        let pool = try MongoClientPool(uri: TestMongoServer.uri(), threadCount: 1)
        defer { pool.close() }
        try await pool.ping()
    }

    @Test func findOneByIdReturnsTheFields() async throws {
        try await TestMongoServer.withDatabase("findone") { db in
            let document = BSONDocument([
                "_id": "q7", "title": "Why is the sky blue?", "score": 0.71, "attempts": .int32(2),
                "accepted": true, "decided_at": .date(milliseconds: 1_700_000_000_000), "tags": ["a", "b"],
                "meta": ["source": "score"],
            ])
            _ = try await db.insertMany(collection: "results", documents: [document])
            let found = try #require(try await db.findOne(collection: "results", id: "q7"))
            #expect(found.keys == ["_id", "title", "score", "attempts", "accepted", "decided_at", "tags", "meta"])
            #expect(found["title"] == "Why is the sky blue?")
            #expect(found["score"] == .double(0.71))
            #expect(found["attempts"] == .int32(2))
            #expect(found["accepted"] == true)
            #expect(found["decided_at"] == .date(milliseconds: 1_700_000_000_000))
            #expect(found["tags"] == ["a", "b"])
            #expect(found["meta"]?["source"] == "score")
            #expect(try await db.findOne(collection: "results", id: "nope") == nil)
        }
    }

    @Test func findFiltersSortsAndLimits() async throws {
        try await TestMongoServer.withDatabase("find") { db in
            let documents = (0..<20).map { BSONDocument(["_id": .int64(Int64($0)), "even": .bool($0 % 2 == 0)]) }
            _ = try await db.insertMany(collection: "c", documents: documents)
            let found = try await db.find(
                collection: "c", filter: BSONDocument(["even": true]), sort: BSONDocument(["_id": -1]), limit: 3)
            #expect(found.map { $0["_id"] } == [18, 16, 14])
            #expect(try await db.find(collection: "c").count == 20)
        }
    }

    @Test func aggregateGroupsWithAverageAndSum() async throws {
        try await TestMongoServer.withDatabase("agg") { db in
            let scores: [(String, Double)] = [("cache", 0.5), ("cache", 0.7), ("score", 0.9), ("storage", 0.4), ("score", 0.3)]
            _ = try await db.insertMany(
                collection: "results",
                documents: scores.map { BSONDocument(["source": .string($0.0), "score": .double($0.1)]) })
            let groups = try await db.aggregate(
                collection: "results",
                pipeline: [
                    BSONDocument(["$group": ["_id": "$source", "mean": ["$avg": "$score"], "n": ["$sum": 1], "total": ["$sum": "$score"]]]),
                    BSONDocument(["$sort": ["_id": 1]]),
                ])
            #expect(groups.map { $0["_id"]?.stringValue } == ["cache", "score", "storage"])
            #expect(groups.map { $0["n"]?.int64Value } == [2, 2, 1])
            let means = groups.compactMap { $0["mean"]?.doubleValue }
            #expect(means.count == 3)
            #expect(zip(means, [0.6, 0.6, 0.4]).allSatisfy { abs($0 - $1) < 1e-9 })
            #expect(abs((groups[1]["total"]?.doubleValue ?? 0) - 1.2) < 1e-9)
        }
    }

    @Test func uniqueIndexRejectsDuplicatesWithCode11000() async throws {
        try await TestMongoServer.withDatabase("index") { db in
            let name = try await db.createIndex(collection: "c", keys: BSONDocument(["message_id": 1]), unique: true)
            #expect(name == "message_id_1")
            #expect(try await db.createIndex(collection: "c", keys: BSONDocument(["status": 1, "score": -1])) == "status_1_score_-1")
            let result = try await db.insertMany(
                collection: "c", documents: ["m1", "m2", "m1"].map { BSONDocument(["message_id": .string($0)]) })
            #expect(result.insertedCount == 2)
            #expect(result.duplicateIndices == [2])
        }
    }

    @Test func dropRemovesTheCollectionAndIgnoresMissingOnes() async throws {
        try await TestMongoServer.withDatabase("drop") { db in
            _ = try await db.insertMany(collection: "c", documents: [BSONDocument(["a": 1])])
            try await db.drop(collection: "c")
            #expect(try await db.count(collection: "c") == 0)
            try await db.drop(collection: "never_created")
        }
    }

    @Test func concurrentOperationsShareThePool() async throws {
        try await TestMongoServer.withDatabase("concurrent", threadCount: 3) { db in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<12 {
                    group.addTask {
                        let documents = (0..<50).map { BSONDocument(["_id": .string("t\(task)-\($0)")]) }
                        return try await db.insertMany(collection: "c", documents: documents).insertedCount
                    }
                }
                var inserted = 0
                for try await count in group { inserted += count }
                #expect(inserted == 600)
            }
            #expect(try await db.count(collection: "c") == 600)
        }
    }
}

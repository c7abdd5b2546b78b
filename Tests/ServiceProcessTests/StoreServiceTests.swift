import Foundation
import Mongo
import Storage
import Stages
import VeredictoCore
import Testing
import TestSupport

/// The store service alone over the real broker and MongoDB: redelivery changes nothing,
/// repeats only count, and the metrics document adds up to the results.
@Suite(.timeLimit(.minutes(5))) struct StoreServiceTests {
    static func storeStage(_ harness: ServiceHarness) -> StoreStage {
        StoreStage(topics: harness.topics, store: MongoResultStore(database: harness.database))
    }

    /// Every document of `collection`, by `_id`, as values (comparable).
    static func snapshot(_ database: MongoDatabase, _ collection: String) async throws -> [String: BSONValue] {
        var out: [String: BSONValue] = [:]
        for document in try await database.find(collection: collection) {
            out[document["_id"]?.stringValue ?? "?"] = document.value
        }
        return out
    }

    static func metrics(_ database: MongoDatabase) async throws -> BSONValue? {
        try await database.findOne(collection: "metrics", id: "global")?.value
    }

    /// A mix of decisions of `count` questions: accepted, accepted after regenerations, forced, failed.
    static func decisions(_ count: Int) -> [ValidatedResponse] {
        (0..<count).map { index in
            let questionID = Samples.uniqueID("q\(index)")
            switch index % 4 {
            case 0: return Samples.decision(questionID, score: 0.9)
            case 1: return Samples.decision(questionID, score: 0.7, firstScore: 0.3, attempts: 2)
            case 2: return Samples.decision(questionID, status: .forced, answer: Samples.poorAnswer, score: 0.2,
                                            firstScore: 0.1, attempts: 3)
            default: return Samples.decision(questionID, source: .failed, status: .failed, answer: "", score: 0,
                                             attempts: 2, llmCalls: 1)
            }
        }
    }

    /// Two store instances, each in a consumer group of its own, so that both read every
    /// decision (as two members do when a rebalance hands a batch to one before the other has
    /// committed it) and write the same documents at once through their own MongoDB clients:
    /// their transactions conflict, one of them applies each decision, the other finds it applied.
    @Test func twoStoresWritingTheSameDecisionsApplyEachOnce() async throws {
        try await ServiceHarness.run("store-two") { harness in
            let batch = Self.decisions(120)
            let appliedByEach = [AppliedCount(), AppliedCount()]
            var running: [RunningStage<StoreStage>] = []
            var pools: [MongoClientPool] = []
            defer { for pool in pools { pool.close() } }
            for (index, applied) in appliedByEach.enumerated() {
                let pool = try MongoClientPool(uri: ServiceHarness.mongoURI(try TestServers.addresses().mongo), threadCount: 2)
                pools.append(pool)
                let store = MongoResultStore(database: pool.database(harness.database.name))
                running.append(try await harness.start(
                    StoreStage(topics: harness.topics, store: store, onApplied: { applied.add($0.appliedIDs.count) }),
                    group: harness.topics.prefix + "store-\(index)", batchSize: 10))
            }
            // A first decision that both read shows both groups joined: the rest reaches both at once.
            let first = Self.decisions(1)
            try await harness.publish(first)
            for stage in running { try await stage.waitUntilConsumed(first.count) }
            try await harness.publish(batch)
            let total = first.count + batch.count
            var consumed = 0
            for stage in running { consumed += try await stage.waitUntilConsumed(total).consumed }
            // Read twice, applied once.
            #expect(consumed == 2 * total)
            #expect(appliedByEach.map(\.value).reduce(0, +) == total)
            #expect(try await harness.database.count(collection: "applied") == total)
            #expect(try await harness.database.count(collection: "results") == total)
            let metrics = try #require(try await harness.database.findOne(collection: "metrics", id: "global"))
            let sum = try #require(try await ResultChecks.resultSums(harness.database))
            #expect(metrics["asked"]?.int64Value == Int64(total) && sum["asked"]?.int64Value == Int64(total))
            #expect(metrics["questions"]?.int64Value == Int64(total))
            #expect(sum["llm_calls"]?.int64Value == metrics["llm_calls"]?.int64Value)
            #expect(sum["regenerations"]?.int64Value == metrics["regenerations"]?.int64Value)
            print("two stores: \(appliedByEach.map(\.value)) decisions applied; retried: \(harness.errors.all)")
        }
    }

    @Test func redeliveredBatchChangesNeitherResultsNorMetrics() async throws {
        try await ServiceHarness.run("store-redeliver") { harness in
            let running = try await harness.start(Self.storeStage(harness))
            let batch = Self.decisions(8)
            try await harness.publish(batch)
            try await running.waitUntilConsumed(batch.count)
            let results = try await Self.snapshot(harness.database, "results")
            let metrics = try #require(try await Self.metrics(harness.database))
            #expect(results.count == batch.count && metrics["asked"]?.int64Value == Int64(batch.count))
            #expect(try await harness.database.count(collection: "applied") == batch.count)

            try await harness.publish(batch)
            try await running.waitUntilConsumed(2 * batch.count)
            #expect(try await Self.snapshot(harness.database, "results") == results)
            #expect(try await Self.metrics(harness.database) == metrics)
            #expect(try await harness.database.count(collection: "applied") == batch.count)
            #expect(harness.errors.all.isEmpty, "\(harness.errors.all)")
        }
    }

    @Test func repeatsServedFromTheCacheOnlyCountTheAsking() async throws {
        try await ServiceHarness.run("store-repeat") { harness in
            let running = try await harness.start(Self.storeStage(harness))
            let questionID = Samples.uniqueID("q")
            let first = Samples.decision(questionID, score: 0.74, firstScore: 0.5, attempts: 2)
            try await harness.publish(first)
            try await running.waitUntilConsumed(1)
            let before = try #require(try await Self.snapshot(harness.database, "results")[questionID])
            let metricsBefore = try #require(try await Self.metrics(harness.database))

            // Three later askings served from the cache: new traces, the cached answer.
            let repeats = (0..<3).map { _ in
                Samples.decision(questionID, source: .cache, score: 0.74, firstScore: 0.74, attempts: 0)
            }
            try await harness.publish(repeats)
            try await running.waitUntilConsumed(4)
            let after = try #require(try await Self.snapshot(harness.database, "results")[questionID])
            #expect(after["times_asked"]?.int64Value == 4)
            #expect(after["served"]?["cache"]?.int64Value == 3 && after["served"]?["score"]?.int64Value == 1)
            // Nothing else changes: the answer, its scores, ids, times and LLM counts are the first decision's.
            let counted: Set<String> = ["times_asked", "served"]
            for field in before.documentValue ?? [] where !counted.contains(field.key) {
                #expect(after[field.key] == field.value, "results.\(field.key) changed")
            }
            #expect(after.documentValue?.count == before.documentValue?.count)
            #expect(after["llm_calls"]?.int64Value == 2 && after["regenerations"]?.int64Value == 1)

            let metrics = try #require(try await Self.metrics(harness.database))
            #expect(metrics["asked"]?.int64Value == 4 && metrics["questions"]?.int64Value == 1)
            #expect(metrics["by_source"]?["cache"]?.int64Value == 3)
            for field in ["accepted", "forced", "failed", "score_sum", "first_score_sum", "regenerations", "llm_calls"] {
                #expect(metrics[field] == metricsBefore[field], "metrics.\(field) changed")
            }
        }
    }

    @Test func aFailedResultTakesTheFirstAnswerThatComesLater() async throws {
        try await ServiceHarness.run("store-upgrade") { harness in
            let running = try await harness.start(Self.storeStage(harness))
            let questionID = Samples.uniqueID("q")
            try await harness.publish(Samples.decision(questionID, source: .failed, status: .failed, answer: "", score: 0,
                                                       attempts: 2, llmCalls: 1))
            try await running.waitUntilConsumed(1)
            let failed = try #require(try await Self.snapshot(harness.database, "results")[questionID])
            #expect(failed["status"]?.stringValue == "failed")

            let answer = Samples.decision(questionID, score: 0.71, firstScore: 0.4, attempts: 2)
            try await harness.publish(answer)
            try await running.waitUntilConsumed(2)
            let after = try #require(try await Self.snapshot(harness.database, "results")[questionID])
            // The answer's fields come from the later decision...
            #expect(after["trace_id"]?.stringValue == answer.traceID)
            #expect(after["message_id"]?.stringValue == answer.messageID)
            #expect(after["llm_answer"]?.stringValue == answer.llmAnswer)
            #expect(after["score"]?.doubleValue == 0.71 && after["first_score"]?.doubleValue == 0.4)
            #expect(after["attempts"]?.int64Value == 2)
            #expect(after["status"]?.stringValue == "accepted" && after["source"]?.stringValue == "score")
            #expect(after["decided_at"] == .date(milliseconds: answer.decidedAt.millisecondsSinceEpoch))
            // ...the question's own fields and its first asking's times stay, the counters add up.
            for field in ["question_id", "title", "content", "best_answer", "created_at", "stored_at"] {
                #expect(after[field] == failed[field], "results.\(field) changed")
            }
            #expect(after["times_asked"]?.int64Value == 2 && after["llm_calls"]?.int64Value == 3)
            #expect(after["served"]?["failed"]?.int64Value == 1 && after["served"]?["score"]?.int64Value == 1)

            let metrics = try #require(try await Self.metrics(harness.database))
            #expect(metrics["failed"]?.int64Value == 0 && metrics["accepted"]?.int64Value == 1)
            #expect(metrics["questions"]?.int64Value == 1 && metrics["asked"]?.int64Value == 2)
            #expect(harness.errors.all.isEmpty, "\(harness.errors.all)")
        }
    }

    @Test func metricsAgreeWithAnAggregationOverResults() async throws {
        try await ServiceHarness.run("store-metrics") { harness in
            let running = try await harness.start(Self.storeStage(harness), batchSize: 7)
            let firsts = Self.decisions(12)
            var repeats: [ValidatedResponse] = []
            for (index, first) in firsts.enumerated() where first.status != .failed {
                let source: ValidatedResponse.Source = index % 2 == 0 ? .cache : .storage
                repeats.append(Samples.decision(first.questionID, source: source, status: first.status,
                                                answer: first.llmAnswer, score: first.score, attempts: 0))
            }
            // A question decided twice by the LLM (asked twice at once), and a redelivered response.
            repeats.append(Samples.decision(firsts[0].questionID, score: 0.95, firstScore: 0.2, attempts: 3))
            let all = firsts + repeats + [firsts[1]]
            try await harness.publish(firsts)
            try await running.waitUntilConsumed(firsts.count)
            try await harness.publish(Array(all.dropFirst(firsts.count)))
            try await running.waitUntilConsumed(all.count)

            let database = harness.database
            let metrics = try #require(try await Self.metrics(database))
            let sums = try #require(try await database.aggregate(collection: "results", pipeline: [
                BSONDocument(["$group": .document([
                    BSONField("_id", .null),
                    BSONField("questions", ["$sum": 1]),
                    BSONField("asked", ["$sum": "$times_asked"]),
                    BSONField("score_sum", ["$sum": "$score"]),
                    BSONField("first_score_sum", ["$sum": "$first_score"]),
                    BSONField("regenerations", ["$sum": "$regenerations"]),
                    BSONField("llm_calls", ["$sum": "$llm_calls"]),
                    BSONField("cache", ["$sum": "$served.cache"]),
                    BSONField("storage", ["$sum": "$served.storage"]),
                    BSONField("score", ["$sum": "$served.score"]),
                    BSONField("failed", ["$sum": "$served.failed"]),
                ])]),
            ]).first)
            let byStatus = try await database.aggregate(collection: "results", pipeline: [
                BSONDocument(["$group": .document([BSONField("_id", "$status"), BSONField("count", ["$sum": 1])])]),
            ])
            func status(_ name: String) -> Int64 {
                byStatus.first { $0["_id"]?.stringValue == name }?["count"]?.int64Value ?? 0
            }

            let expectedAsked = Int64(all.count - 1)  // the redelivery is not an asking
            #expect(sums["questions"]?.int64Value == Int64(firsts.count))
            #expect(metrics["questions"]?.int64Value == sums["questions"]?.int64Value)
            #expect(sums["asked"]?.int64Value == expectedAsked && metrics["asked"]?.int64Value == expectedAsked)
            #expect(metrics["accepted"]?.int64Value == status("accepted") && status("accepted") == 6)
            #expect(metrics["forced"]?.int64Value == status("forced") && status("forced") == 3)
            #expect(metrics["failed"]?.int64Value == status("failed") && status("failed") == 3)
            for (field, source) in [("cache", "cache"), ("storage", "storage"), ("score", "score"), ("failed", "failed")] {
                #expect(metrics["by_source"]?[source]?.int64Value == sums[field]?.int64Value, "by_source.\(source)")
            }
            #expect(metrics["regenerations"]?.int64Value == sums["regenerations"]?.int64Value)
            #expect(metrics["llm_calls"]?.int64Value == sums["llm_calls"]?.int64Value)
            #expect((metrics["regenerations"]?.int64Value ?? 0) > 0 && (metrics["llm_calls"]?.int64Value ?? 0) > 0)
            for field in ["score_sum", "first_score_sum"] {
                let stored = try #require(metrics[field]?.doubleValue), summed = try #require(sums[field]?.doubleValue)
                #expect(abs(stored - summed) < 1e-9, "\(field): \(stored) vs \(summed)")
            }
            let mean = try #require(metrics["score_mean"]?.doubleValue)
            #expect(abs(mean - (sums["score_sum"]?.doubleValue ?? 0) / Double(firsts.count)) < 1e-9)
            #expect(try await database.count(collection: "applied") == Int(expectedAsked))
        }
    }
}

/// Decisions a store applied (its `onApplied` outcomes), counted from any thread.
final class AppliedCount: Sendable {
    private let lock = NSLock()
    nonisolated(unsafe) private var count = 0

    func add(_ applied: Int) { lock.withLock { count += applied } }
    var value: Int { lock.withLock { count } }
}

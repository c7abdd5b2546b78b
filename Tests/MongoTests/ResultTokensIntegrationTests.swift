import Foundation
import Storage
import Testing
import TestSupport
import VeredictoCore

@testable import Mongo

/// The MongoDB store writes each result's LLM tokens and cost, adds a repeat's to them in place,
/// and keeps the metrics document's sums equal to the results'.
@Suite(.timeLimit(.minutes(3))) struct ResultTokensIntegrationTests {
    static func decision(_ trace: String, question: String, source: DecisionSource = .score,
                         usage: LLMUsage) -> Decision {
        let status: ResultStatus = source == .failed ? .failed : .accepted
        var decision = Decision(messageID: "v-" + trace, traceID: trace, questionID: question, title: "t", content: "c",
                                bestAnswer: "b", llmAnswer: source == .failed ? "" : "a", score: source == .failed ? 0 : 0.8,
                                firstScore: 0.4, attempts: source == .failed ? 2 : 1, status: status, source: source,
                                createdAt: 1_764_078_600_000, decidedAt: 1_764_078_601_000,
                                llmCalls: source == .coalesced ? 0 : 1)
        decision.usage = usage
        return decision
    }

    @Test func resultsAndTheMetricsDocumentSumTheTokensAndPriceThem() async throws {
        try await TestMongoServer.withDatabase("result_tokens") { db in
            let prices = LLMPrices(promptPer1K: 0.5, completionPer1K: 2)
            let store = MongoResultStore(database: db, prices: prices)
            let first = [
                Self.decision("t1", question: "q1", usage: LLMUsage(promptTokens: 100, completionTokens: 50, estimated: false)),
                Self.decision("t2", question: "q2", source: .failed,
                              usage: LLMUsage(promptTokens: 40, completionTokens: 0, estimated: false)),
            ]
            try await store.apply(first)
            try await store.apply([
                Self.decision("t3", question: "q1", source: .coalesced, usage: .zero),
                Self.decision("t4", question: "q1", usage: LLMUsage(promptTokens: 10, completionTokens: 5, estimated: true)),
                Self.decision("t5", question: "q2", usage: LLMUsage(promptTokens: 200, completionTokens: 80, estimated: false)),
            ])
            try await store.apply(first)  // a redelivery adds nothing
            let expected = ["q1": LLMUsage(promptTokens: 110, completionTokens: 55, estimated: true),
                            "q2": LLMUsage(promptTokens: 240, completionTokens: 80, estimated: false)]
            var sum = LLMUsage.zero
            var costs = 0.0
            for (id, usage) in expected {
                let document = try #require(try await db.findOne(collection: MongoResultStore.results, id: .string(id)))
                #expect(MongoResultStore.usage(document) == usage, "\(id)")
                let cost = try #require(document["cost"]?.doubleValue)
                #expect(abs(cost - usage.cost(at: prices)) < 1e-12, "\(id)")
                costs += cost
                sum = sum.summed(with: usage)
            }
            #expect(try await store.results(for: ["q1"])["q1"]?.usage == expected["q1"])
            let metrics = try #require(try await db.findOne(collection: MongoResultStore.metricsCollection, id: "global"))
            #expect(MongoResultStore.usage(metrics) == sum)
            #expect(try await store.metrics().usage == sum)
            let cost = try #require(metrics["cost"]?.doubleValue)
            #expect(abs(cost - costs) < 1e-12)
        }
    }
}

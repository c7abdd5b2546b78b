import Testing

@testable import Storage
@testable import VeredictoCore

/// The store's rules, checked on the in-memory store (the MongoDB store shares them).
@Suite struct ResultLedgerTests {
    static func decision(_ trace: String, question: String, source: DecisionSource = .score,
                         status: ResultStatus = .accepted, score: Double = 0.7, first: Double = 0.4,
                         attempts: Int = 2) -> Decision {
        Decision(messageID: "v-" + trace, traceID: trace, questionID: question, title: "t", content: "c",
                 bestAnswer: "b", llmAnswer: "a", score: score, firstScore: first, attempts: attempts, status: status,
                 source: source, createdAt: 1_000, decidedAt: 1_100, llmCalls: source == .score ? attempts : 0)
    }

    @Test func redeliveredDecisionsChangeNothing() async throws {
        let store = InMemoryResultStore(clock: { 1_250 })
        let batch = [Self.decision("t1", question: "q1"), Self.decision("t2", question: "q2", status: .forced, attempts: 3)]
        let first = try await store.apply(batch)
        #expect(first.appliedIDs == ["v-t1", "v-t2"])
        #expect(first.latencies == [250, 250])
        let before = try await store.metrics()
        let again = try await store.apply(batch + [batch[0]])
        #expect(again.appliedIDs.isEmpty)
        #expect(again.duplicates == 3)
        #expect(try await store.metrics() == before)
    }

    @Test func repeatsCountWithoutChangingTheAnswer() async throws {
        let store = InMemoryResultStore(clock: { 2_000 })
        try await store.apply([Self.decision("t1", question: "q1", score: 0.8)])
        try await store.apply([Self.decision("t2", question: "q1", source: .cache, score: 0.8, attempts: 0),
                               Self.decision("t3", question: "q1", source: .storage, score: 0.8, attempts: 0)])
        let result = try #require(try await store.results(for: ["q1"])["q1"])
        #expect(result.timesAsked == 3)
        #expect(result.decision.traceID == "t1")
        #expect(result.served == [.score: 1, .cache: 1, .storage: 1])
        let metrics = try await store.metrics()
        #expect(metrics.questions == 1 && metrics.asked == 3)
        #expect(metrics.bySource == [.score: 1, .cache: 1, .storage: 1])
        #expect(metrics.llmCalls == 2 && metrics.regenerations == 1)
    }

    @Test func aFailedQuestionTakesTheFirstLaterAnswer() async throws {
        let store = InMemoryResultStore(clock: { 3_000 })
        try await store.apply([Self.decision("t1", question: "q1", source: .failed, status: .failed, score: 0, first: 0)])
        try await store.apply([Self.decision("t2", question: "q1", score: 0.9, first: 0.5),
                               Self.decision("t3", question: "q1", source: .cache, score: 0.9, attempts: 0)])
        let result = try #require(try await store.results(for: ["q1"])["q1"])
        #expect(result.decision.status == .accepted && result.decision.traceID == "t2" && result.decision.score == 0.9)
        #expect(result.timesAsked == 3)
        let metrics = try await store.metrics()
        #expect(metrics.failed == 0 && metrics.accepted == 1 && metrics.questions == 1)
        #expect(abs(metrics.scoreSum - 0.9) < 1e-12 && abs(metrics.firstScoreSum - 0.5) < 1e-12)
    }

    @Test func metricsAlwaysAgreeWithResults() async throws {
        let store = InMemoryResultStore(clock: { 5_000 })
        var random = SplitMix64(seed: 1)
        var batches: [[Decision]] = []
        for b in 0..<40 {
            var batch: [Decision] = []
            for i in 0..<25 {
                let question = "q\(random.next() % 60)"
                let sources: [DecisionSource] = [.score, .cache, .storage, .failed]
                let source = sources[Int(random.next() % 4)]
                let status: ResultStatus = source == .failed ? .failed : (random.next() % 3 == 0 ? .forced : .accepted)
                batch.append(Self.decision("t\(b)-\(i)", question: question, source: source, status: status,
                                           score: random.unit(), first: random.unit(), attempts: 1 + Int(random.next() % 3)))
            }
            batches.append(batch)
        }
        for batch in batches { try await store.apply(batch) }
        for batch in batches.shuffled(using: &random).prefix(10) { try await store.apply(batch) }  // redeliveries
        let results = await store.allResults()
        let metrics = try await store.metrics()
        #expect(metrics.questions == results.count)
        #expect(metrics.asked == 1000)
        #expect(metrics.asked == results.map(\.timesAsked).reduce(0, +))
        #expect(metrics.accepted == results.filter { $0.decision.status == .accepted }.count)
        #expect(metrics.forced == results.filter { $0.decision.status == .forced }.count)
        #expect(metrics.failed == results.filter { $0.decision.status == .failed }.count)
        #expect(abs(metrics.scoreSum - results.map(\.decision.score).reduce(0, +)) < 1e-9)
        #expect(metrics.llmCalls == results.map(\.llmCalls).reduce(0, +))
        for source in DecisionSource.allCases {
            #expect(metrics.bySource[source, default: 0] == results.map { $0.served[source, default: 0] }.reduce(0, +))
        }
    }
}

/// The LLM tokens of each result are the sum over its askings' decisions, and the metrics
/// document's are the sum over the results, written with their cost by the one writer.
@Suite struct ResultTokensTests {
    /// A document written as a dictionary, to read the shared writers' fields back.
    struct Fields: ResultFieldWriter {
        var values: [String: Any] = [:]
        mutating func string(_ key: StaticString, _ value: String) { values["\(key)"] = value }
        mutating func double(_ key: StaticString, _ value: Double) { values["\(key)"] = value }
        mutating func integer(_ key: StaticString, _ value: Int) { values["\(key)"] = value }
        mutating func bool(_ key: StaticString, _ value: Bool) { values["\(key)"] = value }
        mutating func date(_ key: StaticString, milliseconds: Int64) { values["\(key)"] = milliseconds }
        mutating func counts(_ key: StaticString, _ counts: [(name: String, count: Int)]) {}
    }

    @Test func resultsSumTheirAskingsTokensAndTheMetricsSumTheResults() async throws {
        let store = InMemoryResultStore(clock: { 9_000 })
        var random = SplitMix64(seed: 12)
        var expected: [String: LLMUsage] = [:]   // per question, over the decisions applied once
        var batches: [[Decision]] = []
        for b in 0..<30 {
            var batch: [Decision] = []
            for i in 0..<20 {
                let question = "q\(random.next() % 40)"
                let sources: [DecisionSource] = [.score, .cache, .coalesced, .failed]
                let source = sources[Int(random.next() % 4)]
                let status: ResultStatus = source == .failed ? .failed : .accepted
                var decision = ResultLedgerTests.decision("t\(b)-\(i)", question: question, source: source,
                                                          status: status, attempts: 1 + Int(random.next() % 3))
                if source == .score || source == .failed {
                    decision.usage = LLMUsage(promptTokens: Int(random.next() % 5_000), completionTokens: Int(random.next() % 900),
                                              estimated: random.next() % 5 == 0)
                }
                expected[question] = (expected[question] ?? .zero).summed(with: decision.usage)
                batch.append(decision)
            }
            batches.append(batch)
        }
        for batch in batches { try await store.apply(batch) }
        for batch in batches.shuffled(using: &random).prefix(8) { try await store.apply(batch) }  // redeliveries
        let results = await store.allResults()
        #expect(results.count == expected.count)
        for result in results {
            #expect(result.usage == expected[result.decision.questionID], "\(result.decision.questionID)")
        }
        let metrics = try await store.metrics()
        let total = results.map(\.usage).reduce(LLMUsage.zero) { $0.summed(with: $1) }
        #expect(metrics.usage == total)
        #expect(metrics.usage.promptTokens > 0 && metrics.usage.estimated)

        // Written by the writers the MongoDB documents and the run's files share: the same sums,
        // and a cost that is the sum of the results' costs.
        let prices = LLMPrices(promptPer1K: 0.5, completionPer1K: 1.5)
        var document = Fields()
        metrics.writeFields(to: &document, updatedAt: 9_000, prices: prices)
        var costs = 0.0, prompt = 0, completion = 0, estimated = false
        for result in results {
            var fields = Fields()
            result.writeFields(to: &fields, prices: prices)
            prompt += try #require(fields.values["prompt_tokens"] as? Int)
            completion += try #require(fields.values["completion_tokens"] as? Int)
            let resultEstimated = try #require(fields.values["tokens_estimated"] as? Bool)
            estimated = estimated || resultEstimated
            costs += try #require(fields.values["cost"] as? Double)
        }
        #expect(document.values["prompt_tokens"] as? Int == prompt)
        #expect(document.values["completion_tokens"] as? Int == completion)
        #expect(document.values["tokens_estimated"] as? Bool == estimated)
        let cost = try #require(document.values["cost"] as? Double)
        #expect(abs(cost - costs) < 1e-9 * max(1, cost))
        #expect(abs(cost - (Double(prompt) / 1000 * 0.5 + Double(completion) / 1000 * 1.5)) < 1e-9 * max(1, cost))
        // Without prices the documents carry the tokens and leave the cost to the report.
        var unpriced = Fields()
        metrics.writeFields(to: &unpriced, updatedAt: 9_000, prices: nil)
        #expect(unpriced.values["cost"] == nil && unpriced.values["prompt_tokens"] as? Int == prompt)
    }
}

import Storage
import VeredictoCore
/// The result store over MongoDB: `results` (one document per question), `metrics`
/// (`_id: "global"`) and `applied` (one document per applied message id), changed together
/// in one transaction per batch, so a redelivered batch changes nothing and the metrics
/// always agree with the results (see docs/delivery.md).
public final class MongoResultStore: ResultStore {
    public let database: MongoDatabase
    /// The LLM's prices per 1,000 tokens: with them each result and the metrics document carry
    /// the `cost` of their tokens; without, only the tokens (the report prices them).
    public let prices: LLMPrices?
    public static let results = "results"
    public static let metricsCollection = "metrics"
    public static let applied = "applied"
    public static let questions = "questions"

    public init(database: MongoDatabase, prices: LLMPrices? = nil) {
        self.database = database
        self.prices = prices
    }

    @discardableResult
    public func apply(_ decisions: [Decision]) async throws -> ResultLedger.Outcome {
        guard !decisions.isEmpty else { return ResultLedger.Outcome() }
        let prices = self.prices
        return try await database.withTransaction { transaction in
            let messageIDs = Array(Set(decisions.map(\.messageID)))
            let questionIDs = Array(Set(decisions.map(\.questionID)))
            let applied = try transaction.find(collection: Self.applied, filter: Self.idIn(messageIDs))
            let existing = try transaction.find(collection: Self.results, filter: Self.idIn(questionIDs))
            var known: [String: ResultLedger.Existing] = [:]
            for document in existing {
                guard let id = document["_id"]?.stringValue,
                      let status = document["status"]?.stringValue.flatMap(ResultStatus.init(rawValue:)) else { continue }
                known[id] = .init(status: status, score: document["score"]?.doubleValue ?? 0,
                                  firstScore: document["first_score"]?.doubleValue ?? 0)
            }
            let now = Timestamp.now()
            let outcome = ResultLedger.apply(
                decisions,
                existing: known,
                alreadyApplied: Set(applied.compactMap { $0["_id"]?.stringValue }),
                storedAt: now.millisecondsSinceEpoch, storedAtMicroseconds: now.microsecondsSinceEpoch)
            guard !outcome.appliedIDs.isEmpty else { return outcome }
            var operations: [BulkWriteOperation] = []
            for (_, result) in outcome.created.sorted(by: { $0.key < $1.key }) {
                operations.append(.insertOne(Self.document(result, prices: prices)))
            }
            for (questionID, decision) in outcome.upgrades.sorted(by: { $0.key < $1.key }) {
                // A failed result takes its first answer; the counters move below as for any repeat.
                var set = BSONDocument()
                set.appendString("trace_id", decision.traceID)
                set.appendString("message_id", decision.messageID)
                decision.writeAnswer(to: &set)
                set.appendDate("decided_at", milliseconds: decision.decidedAt)
                let update = BSONDocument()
                update.appendDocument("$set", set)
                operations.append(.updateOne(filter: BSONDocument(["_id": .string(questionID)]), update: update))
            }
            for (questionID, increment) in outcome.increments.sorted(by: { $0.key < $1.key }) {
                let inc = BSONDocument()
                inc.appendInt64("times_asked", Int64(increment.timesAsked))
                inc.appendInt64("llm_calls", Int64(increment.llmCalls))
                inc.appendInt64("regenerations", Int64(increment.regenerations))
                for (source, count) in increment.served { inc.appendInt64("served.\(source.rawValue)", Int64(count)) }
                inc.appendInt64("prompt_tokens", Int64(increment.usage.promptTokens))
                inc.appendInt64("completion_tokens", Int64(increment.usage.completionTokens))
                if let prices { inc.appendDouble("cost", increment.usage.cost(at: prices)) }
                let update = BSONDocument()
                update.appendDocument("$inc", inc)
                if increment.usage.estimated {
                    let set = BSONDocument()
                    set.appendBool("tokens_estimated", true)
                    update.appendDocument("$set", set)
                }
                operations.append(.updateOne(filter: BSONDocument(["_id": .string(questionID)]), update: update))
            }
            if !operations.isEmpty { try transaction.bulkWrite(collection: Self.results, operations: operations) }
            var metrics = try transaction.findOne(collection: Self.metricsCollection, id: "global").map(Self.metrics) ?? PipelineMetrics()
            metrics.add(outcome.metrics)
            try transaction.bulkWrite(collection: Self.metricsCollection, operations: [
                .replaceOne(filter: BSONDocument(["_id": "global"]), replacement: Self.document(metrics, prices: prices), upsert: true),
            ])
            try transaction.insertMany(collection: Self.applied, documents: outcome.appliedIDs.map { id in
                let document = BSONDocument()
                document.appendString("_id", id)
                return document
            })
            return outcome
        }
    }

    public func results(for questionIDs: [String]) async throws -> [String: StoredResult] {
        guard !questionIDs.isEmpty else { return [:] }
        let documents = try await database.find(collection: Self.results, filter: Self.idIn(Array(Set(questionIDs))))
        var out: [String: StoredResult] = [:]
        for document in documents {
            if let result = Self.storedResult(document) { out[result.decision.questionID] = result }
        }
        return out
    }

    public func metrics() async throws -> PipelineMetrics {
        try await database.findOne(collection: Self.metricsCollection, id: "global").map(Self.metrics) ?? PipelineMetrics()
    }

    // MARK: documents

    static func idIn(_ ids: [String]) -> BSONDocument {
        let condition = BSONDocument()
        condition.appendArray("$in", ids.map { .string($0) })
        let filter = BSONDocument()
        filter.appendDocument("_id", condition)
        return filter
    }

    static func document(_ result: StoredResult, prices: LLMPrices?) -> BSONDocument {
        var document = BSONDocument()
        document.appendString("_id", result.decision.questionID)
        result.writeFields(to: &document, prices: prices)
        let served = BSONDocument()
        for source in DecisionSource.allCases { served.appendInt64(source.rawValue, Int64(result.served[source, default: 0])) }
        document.appendDocument("served", served)
        document.appendInt64("llm_calls", Int64(result.llmCalls))
        document.appendInt64("regenerations", Int64(result.regenerations))
        document.appendString("message_id", result.decision.messageID)
        return document
    }

    static func storedResult(_ document: BSONDocument) -> StoredResult? {
        guard let questionID = document["_id"]?.stringValue,
              let status = document["status"]?.stringValue.flatMap(ResultStatus.init(rawValue:)),
              let source = document["source"]?.stringValue.flatMap(DecisionSource.init(rawValue:))
        else { return nil }
        func date(_ key: String) -> Int64 {
            if case .date(let milliseconds) = document[key] { return milliseconds }
            return 0
        }
        let decision = Decision(
            messageID: document["message_id"]?.stringValue ?? "", traceID: document["trace_id"]?.stringValue ?? "",
            questionID: questionID, title: document["title"]?.stringValue ?? "",
            content: document["content"]?.stringValue ?? "", bestAnswer: document["best_answer"]?.stringValue ?? "",
            llmAnswer: document["llm_answer"]?.stringValue ?? "", score: document["score"]?.doubleValue ?? 0,
            firstScore: document["first_score"]?.doubleValue ?? 0, attempts: Int(document["attempts"]?.int64Value ?? 0),
            status: status, source: source, createdAt: date("created_at"), decidedAt: date("decided_at"),
            llmCalls: Int(document["llm_calls"]?.int64Value ?? 0))
        var served: [DecisionSource: Int] = [:]
        for source in DecisionSource.allCases {
            if let count = document["served"]?[source.rawValue]?.int64Value, count > 0 { served[source] = Int(count) }
        }
        return StoredResult(decision: decision, storedAt: date("stored_at"),
                            timesAsked: Int(document["times_asked"]?.int64Value ?? 0), served: served,
                            llmCalls: Int(document["llm_calls"]?.int64Value ?? 0),
                            regenerations: Int(document["regenerations"]?.int64Value ?? 0),
                            usage: usage(document))
    }

    static func document(_ metrics: PipelineMetrics, prices: LLMPrices?) -> BSONDocument {
        var document = BSONDocument()
        metrics.writeFields(to: &document, updatedAt: Timestamp.now().millisecondsSinceEpoch, prices: prices)
        return document
    }

    /// The tokens of a result or the metrics document (none in a document written before them).
    static func usage(_ document: BSONDocument) -> LLMUsage {
        LLMUsage(promptTokens: Int(document["prompt_tokens"]?.int64Value ?? 0),
                 completionTokens: Int(document["completion_tokens"]?.int64Value ?? 0),
                 estimated: document["tokens_estimated"]?.boolValue ?? false)
    }

    static func metrics(_ document: BSONDocument) -> PipelineMetrics {
        var metrics = PipelineMetrics()
        func int(_ key: String) -> Int { Int(document[key]?.int64Value ?? 0) }
        metrics.questions = int("questions")
        metrics.asked = int("asked")
        metrics.accepted = int("accepted")
        metrics.forced = int("forced")
        metrics.failed = int("failed")
        for source in DecisionSource.allCases {
            if let count = document["by_source"]?[source.rawValue]?.int64Value, count > 0 { metrics.bySource[source] = Int(count) }
        }
        metrics.scoreSum = document["score_sum"]?.doubleValue ?? 0
        metrics.firstScoreSum = document["first_score_sum"]?.doubleValue ?? 0
        metrics.regenerations = int("regenerations")
        metrics.llmCalls = int("llm_calls")
        metrics.usage = usage(document)
        return metrics
    }
}

extension BSONDocument: ResultFieldWriter {
    package func string(_ key: StaticString, _ value: String) { appendString(key.description, value) }
    package func double(_ key: StaticString, _ value: Double) { appendDouble(key.description, value) }
    package func integer(_ key: StaticString, _ value: Int) { appendInt64(key.description, Int64(value)) }
    package func bool(_ key: StaticString, _ value: Bool) { appendBool(key.description, value) }
    package func date(_ key: StaticString, milliseconds: Int64) { appendDate(key.description, milliseconds: milliseconds) }
    package func counts(_ key: StaticString, _ counts: [(name: String, count: Int)]) {
        let document = BSONDocument()
        for (name, count) in counts { document.appendInt64(name, Int64(count)) }
        appendDocument(key.description, document)
    }
}

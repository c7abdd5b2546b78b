import Foundation
import Cache
import Kafka
import LLM
import Mongo
import Stages
import Transport
import VeredictoCore
import Testing
import TestSupport

/// Every class of bad record, on every topic a service consumes, published between two valid
/// messages to the whole pipeline (cache, llm, llm-retry, score and store stages over the real
/// broker and MongoDB): no service stops, every valid neighbour is stored, every bad record is
/// in `dead_letters` with a reason, and nothing out of its domain reaches MongoDB.
///
/// POISON_MATRIX_LONG=1 publishes each bad record 5 times, each time between fresh neighbours.
@Suite(.serialized, .timeLimit(.minutes(6))) struct PoisonMatrixTests {
    /// One bad record: the topic it is published to, its class, its bytes.
    struct Poison {
        let topic: Topic
        let name: String
        let value: [UInt8]
        /// Dead-lettered (true), or valid but extreme and expected stored (false).
        var deadLettered = true
    }

    static let fiveMegabytes = 5 * 1024 * 1024
    static let extremeTimestamps = ["\"-292275055-05-16T16:47:04.192Z\"", "\"+292278994-08-17T07:12:55.807Z\"",
                                    "\"1900-01-01T00:00:00Z\"", "\"2200-01-01T00:00:00Z\""]
    static let extremeCounts = ["9223372036854775807", "-9223372036854775808", "-1", "1000000000"]
    static let extremeScores = ["null", "1e308", "-0.5", "-1e308", "1.5"]

    /// A valid message of `topic` for a question of its own.
    static func valid(_ topic: Topic, _ topics: PipelineTopics) -> (questionID: String, value: [UInt8]) {
        let questionID = Samples.uniqueID("q")
        let trace = Samples.uniqueID("trace")
        let created = Timestamp.now().advanced(byMilliseconds: -500)
        let bytes: [UInt8]
        switch topic {
        case .questionsIn:
            bytes = Samples.question(questionID, trace: trace).jsonBytes
        case .llmRequests:
            bytes = LLMRequest(traceID: trace, questionID: questionID, title: Samples.title, content: Samples.content,
                               prompt: Samples.prompt, bestAnswer: Samples.bestAnswer, attempts: 1, createdAt: created).jsonBytes
        case .llmResponses:
            bytes = Samples.response(questionID, trace: trace, attempts: 1, answer: Samples.bestAnswer, createdAt: created).jsonBytes
        case .llmErrors:
            bytes = ErrorMessage(traceID: trace, questionID: questionID, errorType: "overload", errorDetail: "HTTP 503",
                                 attempts: 1, retryAt: .now(), title: Samples.title, content: Samples.content,
                                 prompt: Samples.prompt, bestAnswer: Samples.bestAnswer, createdAt: created).jsonBytes
        case .regenerationRequests:
            bytes = RegenerationRequest(traceID: trace, questionID: questionID, title: Samples.title, content: Samples.content,
                                        prompt: Samples.prompt, bestAnswer: Samples.bestAnswer, attempts: 1,
                                        createdAt: created, firstScore: 0.2, previousScore: 0.2).jsonBytes
        case .validatedResponses:
            bytes = Samples.decision(questionID, trace: trace, createdAt: created).jsonBytes
        case .deadLetters:
            bytes = []
        }
        return (questionID, bytes)
    }

    /// `valid` with `field` set to the raw JSON `json`.
    static func replacing(_ valid: [UInt8], _ field: String, with json: String) -> [UInt8] {
        var text = String(decoding: valid, as: UTF8.self)
        guard let start = text.range(of: "\"\(field)\":") else {
            // Absent field: added at the front.
            text.insert(contentsOf: "\"\(field)\":\(json),", at: text.index(after: text.startIndex))
            return Array(text.utf8)
        }
        var end = start.upperBound
        var depth = 0
        var inString = false
        var escaped = false
        while end < text.endIndex {
            let character = text[end]
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else if character == "\"" {
                inString = true
            } else if character == "{" || character == "[" {
                depth += 1
            } else if character == "}" || character == "]" {
                if depth == 0 { break }
                depth -= 1
            } else if character == "," && depth == 0 {
                break
            }
            end = text.index(after: end)
        }
        text.replaceSubrange(start.upperBound..<end, with: json)
        return Array(text.utf8)
    }

    /// Every class of bad record for `topic`.
    static func poisons(_ topic: Topic, _ topics: PipelineTopics) -> [Poison] {
        let base = valid(topic, topics).value
        var out: [Poison] = [
            Poison(topic: topic, name: "unreadable JSON", value: Array(#"{"question_id":"7","title":"#.utf8)),
            Poison(topic: topic, name: "not an object", value: Array("[1,2,3]".utf8)),
            Poison(topic: topic, name: "5 MB non-JSON value", value: [UInt8](repeating: UInt8(ascii: "x"), count: fiveMegabytes)),
            Poison(topic: topic, name: "5 MB field",
                   value: replacing(base, "title", with: "\"" + String(repeating: "t", count: fiveMegabytes) + "\"")),
            Poison(topic: topic, name: "empty question_id", value: replacing(base, "question_id", with: "\"\"")),
            Poison(topic: topic, name: "100 KB question_id",
                   value: replacing(base, "question_id", with: "\"" + String(repeating: "q", count: 100_000) + "\"")),
        ]
        for count in extremeCounts {
            out.append(Poison(topic: topic, name: "attempts \(count)", value: replacing(base, "attempts", with: count)))
        }
        let timestampField = topic == .llmResponses ? "produced_at" : topic == .validatedResponses ? "decided_at" : "created_at"
        for timestamp in extremeTimestamps {
            out.append(Poison(topic: topic, name: "\(timestampField) \(timestamp)", value: replacing(base, timestampField, with: timestamp)))
            if topic != .questionsIn && topic != .regenerationRequests && timestampField != "created_at" {
                out.append(Poison(topic: topic, name: "created_at \(timestamp)", value: replacing(base, "created_at", with: timestamp)))
            }
        }
        if topic != .questionsIn {
            for score in extremeScores where score != "null" {
                out.append(Poison(topic: topic, name: "first_score \(score)", value: replacing(base, "first_score", with: score)))
            }
        }
        switch topic {
        case .validatedResponses:
            for score in extremeScores {
                out.append(Poison(topic: topic, name: "score \(score)", value: replacing(base, "score", with: score)))
            }
            for count in extremeCounts {
                out.append(Poison(topic: topic, name: "llm_calls \(count)", value: replacing(base, "llm_calls", with: count)))
            }
            out.append(Poison(topic: topic, name: "accepted status, accepted false",
                              value: replacing(base, "accepted", with: "false")))
            out.append(Poison(topic: topic, name: "forced status, accepted true",
                              value: replacing(base, "status", with: "\"forced\"")))
            out.append(Poison(topic: topic, name: "failed status, source score",
                              value: replacing(replacing(base, "status", with: "\"failed\""), "accepted", with: "false")))
            out.append(Poison(topic: topic, name: "empty message_id", value: replacing(base, "message_id", with: "\"\"")))
        case .llmResponses:
            for latency in ["null", "-1", "1e308"] {
                out.append(Poison(topic: topic, name: "latency_ms \(latency)", value: replacing(base, "latency_ms", with: latency)))
            }
        case .llmErrors:
            for timestamp in extremeTimestamps {
                out.append(Poison(topic: topic, name: "retry_at \(timestamp)", value: replacing(base, "retry_at", with: timestamp)))
            }
            for count in extremeCounts {
                out.append(Poison(topic: topic, name: "retries \(count)", value: replacing(base, "retries", with: count)))
            }
            // Valid, but due far ahead: brought forward, re-issued and stored, not circulated forever.
            out.append(Poison(topic: topic, name: "retry_at in 2099", value: replacing(base, "retry_at", with: "\"2099-12-31T00:00:00Z\""),
                              deadLettered: false))
        case .regenerationRequests:
            for score in extremeScores where score != "null" {
                out.append(Poison(topic: topic, name: "previous_score \(score)", value: replacing(base, "previous_score", with: score)))
            }
        case .llmRequests:
            for count in extremeCounts {
                out.append(Poison(topic: topic, name: "retries \(count)", value: replacing(base, "retries", with: count)))
            }
        default:
            break
        }
        return out
    }

    static let consumedTopics: [Topic] = [.questionsIn, .llmRequests, .llmResponses, .llmErrors, .regenerationRequests,
                                          .validatedResponses]

    @Test func everyBadRecordIsDeadLetteredAndItsNeighboursAreStored() async throws {
        let rounds = ProcessInfo.processInfo.environment["POISON_MATRIX_LONG"] == "1" ? 5 : 1
        try await ServiceHarness.run("poison", partitions: 1) { harness in
            let store = MongoResultStore(database: harness.database)
            let topics = harness.topics
            try await harness.start(CacheStage(topics: topics, configuration: CacheConfiguration(), storage: store))
            try await harness.start(LLMStage(topics: topics, backend: OfflineLLM(seed: 3), retry: .none, concurrency: 8))
            try await harness.start(LLMRetryStage(topics: topics, maxRetries: 3, maximumWait: .seconds(1),
                                                  maximumDelay: .seconds(2)))
            try await harness.start(try ScoreStage(topics: topics, threshold: 0.65, maxRetries: 3, model: nil))
            try await harness.start(StoreStage(topics: topics, store: store))
            let deadLetters = try await harness.reader(.deadLetters)

            // A publisher allowed the 5 MB records the services must refuse.
            var large = harness.transport
            large.maxMessageBytes = 16 * 1024 * 1024
            let publisher = try await large.makeProducer()
            var neighbours: [String] = []
            var expectedLetters: [String: (topic: Topic, name: String)] = [:]
            var storedPoisons = 0
            for round in 0..<rounds {
                for topic in Self.consumedTopics {
                    var records: [OutboundMessage] = []
                    let first = Self.valid(topic, topics)
                    neighbours.append(first.questionID)
                    records.append(OutboundMessage(topic: topics.name(topic), key: first.questionID, value: first.value))
                    for (index, poison) in Self.poisons(topic, topics).enumerated() {
                        let key = "bad-\(round)-\(topic.rawValue)-\(index)"
                        if poison.deadLettered { expectedLetters[key] = (topic, poison.name) } else { storedPoisons += 1 }
                        records.append(OutboundMessage(topic: topics.name(topic), key: key, value: poison.value))
                        let next = Self.valid(topic, topics)
                        neighbours.append(next.questionID)
                        records.append(OutboundMessage(topic: topics.name(topic), key: next.questionID, value: next.value))
                    }
                    // One record per send: a 5 MB record must not share a produce request.
                    for record in records { try await publisher.send([record]) }
                }
            }
            await publisher.close()

            // Every bad record is dead-lettered with a reason, and nothing else is.
            try await deadLetters.read(until: "\(expectedLetters.count) dead letters", timeout: .seconds(180)) {
                Set($0.records(on: .deadLetters).map(\.key)).isSuperset(of: expectedLetters.keys)
            }
            for record in deadLetters.records(on: .deadLetters) {
                let letter = try DeadLetter.decode(record.value)
                guard let expected = expectedLetters[record.key] else {
                    Issue.record("unexpected dead letter \(record.key): \(letter.reason)")
                    continue
                }
                #expect(letter.sourceTopic == topics.name(expected.topic), "\(expected.name)")
                #expect(!letter.reason.isEmpty && letter.offset >= 0, "\(expected.name)")
                #expect(record.value.count <= MessageDomain.defaultMaximumMessageBytes, "\(expected.name): dead letter too large")
                if letter.payloadBytes != nil {
                    #expect(letter.payload.utf8.count <= InvalidMessage.payloadPrefixLimit, "\(expected.name)")
                }
            }

            // Every valid neighbour is stored (and the valid but extreme ones too).
            let database = harness.database
            let deadline = ContinuousClock.now + .seconds(180)
            var stored = 0
            while ContinuousClock.now < deadline {
                stored = try await database.count(collection: "results", filter: BSONDocument([
                    "_id": .document([BSONField("$in", .array(neighbours.map { .string($0) }))]),
                ]))
                if stored == neighbours.count { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(stored == neighbours.count, "\(stored) of \(neighbours.count) neighbours stored; errors: \(harness.errors.all.suffix(5))")
            var results = try await database.find(collection: "results")
            while results.count < neighbours.count + storedPoisons && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(500))
                results = try await database.find(collection: "results")
            }
            #expect(results.count == neighbours.count + storedPoisons)

            // Nothing outside its domain reached MongoDB.
            for document in results {
                let id = document["_id"]?.stringValue ?? ""
                #expect(!id.isEmpty && id.utf8.count <= MessageDomain.maximumIDBytes)
                for field in ["score", "first_score"] {
                    let value = document[field]?.doubleValue ?? .nan
                    #expect(value.isFinite && MessageDomain.score.contains(value), "\(id) \(field) = \(value)")
                }
                for field in ["attempts", "llm_calls", "times_asked", "regenerations"] {
                    let value = document[field]?.int64Value ?? -1
                    #expect(value >= 0 && value <= 1_000_000, "\(id) \(field) = \(value)")
                }
                let latency = document["e2e_latency_ms"]?.doubleValue ?? .nan
                #expect(latency.isFinite && abs(latency) < 86_400_000, "\(id) e2e_latency_ms = \(latency)")
            }
            print("poison matrix: \(expectedLetters.count) bad records on \(Self.consumedTopics.count) topics dead-lettered, "
                + "\(storedPoisons) extreme but valid stored, \(neighbours.count) valid neighbours stored, "
                + "\(results.count) results checked, \(harness.errors.all.count) runner errors logged")
            let metrics = try #require(try await database.findOne(collection: "metrics", id: "global"))
            #expect(metrics["questions"]?.int64Value == Int64(results.count))
            let scoreSum = metrics["score_sum"]?.doubleValue ?? .nan
            #expect(scoreSum.isFinite && scoreSum >= 0 && scoreSum <= Double(results.count))
        }
    }
}

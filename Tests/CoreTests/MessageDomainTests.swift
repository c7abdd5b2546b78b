import Testing

@testable import VeredictoCore

/// Every value outside its domain (docs/messages.md, "Domains") makes a message invalid, with
/// the field named, on every topic that carries the field.
@Suite struct MessageDomainTests {
    typealias Fixtures = MessagesTests

    /// Extreme and corrupt values of each kind.
    static let badCounts = ["-1", "9223372036854775807", "-9223372036854775808", "1000001", "1e9"]
    static let badScores = ["null", "1e308", "-0.5", "1.0000001", "-1e308"]
    static let badTimestamps = ["\"-292275055-05-16T16:47:04.192Z\"", "\"+292278994-08-17T07:12:55.807Z\"",
                                "\"1969-12-31T23:59:59.999Z\"", "\"2100-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\""]
    static let badIDs = ["\"\"", "\"" + String(repeating: "i", count: 300) + "\""]

    /// Each message's fields and the bad values each must refuse.
    static func cases() throws -> [(type: String, object: RawObject, field: String, values: [String])] {
        let question = try RawObject(Fixtures.question("q").jsonBytes)
        let request = try RawObject(Fixtures.request("r").jsonBytes)
        let response = try RawObject(Fixtures.response("r").jsonBytes)
        let error = try RawObject(Fixtures.error("e").jsonBytes)
        let regeneration = try RawObject(Fixtures.regeneration("g").jsonBytes)
        let validated = try RawObject(Fixtures.validated("v").jsonBytes)
        var cases: [(String, RawObject, String, [String])] = [
            ("question", question, "attempts", badCounts),
            ("question", question, "created_at", badTimestamps),
            ("question", question, "question_id", badIDs),
            ("question", question, "trace_id", badIDs),
            ("question", question, "message_id", badIDs),
            ("validated", validated, "score", badScores),
            ("validated", validated, "first_score", badScores.filter { $0 != "null" }),
            ("validated", validated, "llm_calls", badCounts.filter { $0 != "1000001" } + ["1000000000"]),
            ("validated", validated, "decided_at", badTimestamps),
            ("response", response, "latency_ms", ["null", "-1", "1e308", "-1e308"]),
            ("response", response, "first_score", badScores.filter { $0 != "null" }),
            ("response", response, "produced_at", badTimestamps),
            ("error", error, "retry_at", badTimestamps),
            ("error", error, "retries", badCounts),
            ("request", request, "retries", badCounts),
            ("regeneration", regeneration, "previous_score", badScores.filter { $0 != "null" }),
        ]
        for (type, object) in [("request", request), ("response", response), ("error", error),
                               ("regeneration", regeneration), ("validated", validated)] {
            cases.append((type, object, "attempts", badCounts))
            cases.append((type, object, "created_at", badTimestamps))
            cases.append((type, object, "message_id", badIDs))
            cases.append((type, object, "trace_id", badIDs))
            cases.append((type, object, "question_id", badIDs))
        }
        return cases
    }

    static func failure(_ type: String, _ object: RawObject) -> MessageDecodingError? {
        switch type {
        case "question": Fixtures.failure(QuestionMessage.self, object.bytes)
        case "request": Fixtures.failure(LLMRequest.self, object.bytes)
        case "response": Fixtures.failure(LLMResponse.self, object.bytes)
        case "error": Fixtures.failure(ErrorMessage.self, object.bytes)
        case "regeneration": Fixtures.failure(RegenerationRequest.self, object.bytes)
        default: Fixtures.failure(ValidatedResponse.self, object.bytes)
        }
    }

    @Test func everyValueOutsideItsDomainIsRefusedWithTheFieldNamed() throws {
        var checked = 0
        for (type, object, field, values) in try Self.cases() {
            #expect(object.names.contains(field), "\(type) has no field \(field)")
            #expect(Self.failure(type, object) == nil, "\(type) fixture is valid")
            for value in values {
                let error = Self.failure(type, object.replacing(field, with: value))
                #expect(error?.field == field, "\(type).\(field) = \(value.prefix(40)) gave \(String(describing: error))")
                checked += 1
            }
        }
        #expect(checked > 140)
    }

    @Test func theCacheReadsValidatedResponsesWithTheSameDomains() throws {
        let validated = try RawObject(Fixtures.validated("v").jsonBytes)
        for (field, value) in [("score", "1e308"), ("attempts", "-9223372036854775808"), ("decided_at", "\"1900-01-01T00:00:00Z\""),
                               ("llm_calls", "9223372036854775807"), ("trace_id", "\"\""), ("status", "\"forced\"")] {
            let object = validated.replacing(field, with: value)
            let full = Fixtures.failure(ValidatedResponse.self, object.bytes)
            #expect(full != nil, "\(field)")
            do {
                _ = try object.bytes.withUnsafeBytes { try ValidatedResponse.decodeAnswer($0) }
                Issue.record("the cache read \(field) = \(value)")
            } catch let error as MessageDecodingError {
                #expect(error == full)
            }
        }
    }

    @Test func aStatusMustAgreeWithItsFlags() throws {
        let validated = try RawObject(Fixtures.validated("v").jsonBytes)  // accepted, source score
        let inconsistent: [[(String, String)]] = [
            [("status", "\"accepted\""), ("accepted", "false")],
            [("status", "\"forced\""), ("accepted", "true")],
            [("status", "\"failed\""), ("accepted", "false")],
            [("source", "\"failed\""), ("accepted", "false"), ("status", "\"forced\"")],
            [("attempts", "0")],
        ]
        for changes in inconsistent {
            var object = validated
            for (field, value) in changes { object = object.replacing(field, with: value) }
            #expect(Fixtures.failure(ValidatedResponse.self, object.bytes) != nil, "\(changes)")
        }
        let consistent: [[(String, String)]] = [
            [("status", "\"forced\""), ("accepted", "false")],
            [("source", "\"failed\""), ("accepted", "false"), ("status", "\"failed\""), ("score", "0")],
            [("source", "\"cache\""), ("attempts", "0")],
        ]
        for changes in consistent {
            var object = validated
            for (field, value) in changes { object = object.replacing(field, with: value) }
            #expect(Fixtures.failure(ValidatedResponse.self, object.bytes) == nil, "\(changes)")
        }
    }

    @Test func theBoundsThemselvesAreValid() throws {
        let validated = try RawObject(Fixtures.validated("v").jsonBytes)
        for (field, value) in [("score", "0"), ("score", "1"), ("attempts", "1000"), ("llm_calls", "1000000"),
                               ("decided_at", "\"2000-01-01T00:00:00Z\""), ("created_at", "\"2099-12-31T23:59:59.999Z\""),
                               ("trace_id", "\"" + String(repeating: "t", count: 256) + "\""),
                               ("message_id", "\"v-" + String(repeating: "t", count: 256) + "\"")] {
            #expect(Fixtures.failure(ValidatedResponse.self, validated.replacing(field, with: value).bytes) == nil,
                    "\(field) = \(value.prefix(20))")
        }
    }

    @Test func arithmeticOnExtremeValuesSaturates() {
        let early = Timestamp(millisecondsSinceEpoch: .min)
        let late = Timestamp(millisecondsSinceEpoch: .max)
        // Timestamps hold microseconds: the extremes saturate there, and in whole milliseconds
        // they are those bounds divided by 1,000 (rounded down).
        #expect(late.microsecondsSinceEpoch == .max && early.microsecondsSinceEpoch == .min)
        #expect(late.microseconds(since: early) == .max)
        #expect(early.microseconds(since: late) == .min)
        #expect(late.milliseconds(since: early) == Int64.max / 1000)
        #expect(early.milliseconds(since: late) == Int64.min / 1000 - 1)
        #expect(late.advanced(byMilliseconds: 1) == late)
        #expect(early.advanced(byMilliseconds: -1) == early)
        #expect(late.advanced(byMicroseconds: 1) == late)
        #expect(Int.max.saturatingAdd(1) == .max)
        #expect(Int.min.saturatingAdd(-1) == .min)
        #expect(Int.min.saturatingAdd(1) == Int.min + 1)
    }
}

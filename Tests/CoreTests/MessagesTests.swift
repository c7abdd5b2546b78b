import Foundation
import Testing

@testable import LLM
@testable import VeredictoCore

/// The top-level fields of a JSON object as (name, raw JSON value) pairs, to build variants of
/// a message: a field removed, replaced, renamed or added.
struct RawObject {
    var fields: [(name: String, json: String)]

    init(fields: [(name: String, json: String)]) {
        self.fields = fields
    }

    init(_ bytes: [UInt8]) throws {
        var fields: [(String, String)] = []
        try bytes.withUnsafeBufferPointer { buffer in
            try JSONScanner.scanObject(buffer) { key, keyEscaped, value in
                let name = try JSONScanner.string(key, escaped: keyEscaped)
                switch value {
                case .string(let raw, _): fields.append((name, "\"" + String(decoding: raw, as: UTF8.self) + "\""))
                case .number(let raw): fields.append((name, String(decoding: raw, as: UTF8.self)))
                case .bool(let flag): fields.append((name, flag ? "true" : "false"))
                case .null: fields.append((name, "null"))
                case .composite: Issue.record("unexpected composite field \(name)")
                }
            }
        }
        self.fields = fields
    }

    init(_ text: String) throws {
        try self.init(Array(text.utf8))
    }

    var names: [String] { fields.map(\.name) }

    var text: String {
        "{" + fields.map { "\"\($0.name)\":\($0.json)" }.joined(separator: ",") + "}"
    }

    var bytes: [UInt8] { Array(text.utf8) }

    func removing(_ name: String) -> RawObject {
        var copy = self
        copy.fields.removeAll { $0.name == name }
        return copy
    }

    func replacing(_ name: String, with json: String) -> RawObject {
        var copy = self
        copy.fields = fields.map { $0.name == name ? ($0.name, json) : $0 }
        return copy
    }
}

@Suite struct MessagesTests {
    static let tricky = "say \"hi\" \\ back\\slash\nnew line, a literal \\n, tab\t, \u{01}\u{1F}, é ñ 中文 "
        + "🙂👩‍👩‍👧 \u{2028} </script> \\u0041 {\"json\": [1]}"
    static let created = Timestamp(millisecondsSinceEpoch: 1_795_614_600_123)
    static let later = Timestamp(millisecondsSinceEpoch: 1_795_614_602_311)

    static func question(_ text: String = tricky) -> QuestionMessage {
        QuestionMessage(
            messageID: "m-" + text.prefix(60), traceID: "t-" + text.prefix(60), questionID: "q-" + text.prefix(60),
            title: text, content: text,
            bestAnswer: text, source: "generator", createdAt: created, attempts: 0)
    }

    static func request(_ text: String = tricky) -> LLMRequest {
        LLMRequest(
            messageID: "m1", traceID: "t1", questionID: "q1", title: text, content: text, prompt: text,
            bestAnswer: text, attempts: 2, createdAt: created, firstScore: 0.30000000000000004, retries: 1)
    }

    static func response(_ text: String = tricky) -> LLMResponse {
        LLMResponse(
            messageID: "m2", traceID: "t1", questionID: "q1", title: text, content: text, prompt: text,
            llmAnswer: text, bestAnswer: text, latencyMs: 812.0625, attempts: 2, producedAt: later,
            createdAt: created, firstScore: 1.0 / 3.0)
    }

    static func error(_ text: String = tricky) -> ErrorMessage {
        ErrorMessage(
            messageID: "m3", traceID: "t1", questionID: "q1", errorType: "quota", errorDetail: text, attempts: 2,
            retryAt: later.advanced(byMilliseconds: 20_000), producedAt: later, retries: 3, title: text,
            content: text, prompt: text, bestAnswer: text, createdAt: created, firstScore: 0)
    }

    static func regeneration(_ text: String = tricky) -> RegenerationRequest {
        RegenerationRequest(
            messageID: "m4", traceID: "t1", questionID: "q1", title: text, content: text, prompt: text,
            bestAnswer: text, attempts: 1, createdAt: created, firstScore: 0.1, previousScore: 1e-300)
    }

    static func validated(_ text: String = tricky) -> ValidatedResponse {
        ValidatedResponse(
            messageID: ValidatedResponse.messageID(forTrace: "t1"), traceID: "t1", questionID: "q1", title: text,
            content: text, llmAnswer: text, bestAnswer: text, score: 0.7031, accepted: true, source: .score,
            attempts: 2, decidedAt: later, status: .accepted, firstScore: 0.4127, createdAt: created, llmCalls: 3)
    }

    static func deadLetter(_ text: String = tricky) -> DeadLetter {
        DeadLetter(
            sourceTopic: "questions_in", partition: 3, offset: 9_223_372_036_854_775_807, reason: text,
            payload: text, producedAt: later)
    }

    static func expectRoundTrip<Message: PipelineMessage>(_ message: Message) throws {
        let bytes = message.jsonBytes
        #expect(try Message.decode(bytes) == message)
        let viaRawBuffer = try bytes.withUnsafeBytes { try Message.decode($0) }
        #expect(viaRawBuffer == message)
    }

    /// The description of the error decoding `bytes` throws, nil when it decodes.
    static func failure<Message: PipelineMessage>(_ type: Message.Type, _ bytes: [UInt8]) -> MessageDecodingError? {
        do {
            _ = try Message.decode(bytes)
            return nil
        } catch let error as MessageDecodingError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    static func failure<Message: PipelineMessage>(_ type: Message.Type, _ object: RawObject) -> String? {
        failure(type, object.bytes)?.description
    }

    // MARK: - round trips

    @Test func everyTypeRoundTripsTrickyStrings() throws {
        for text in [Self.tricky, "", "plain", String(repeating: "long \"text\" ", count: 2_000)] {
            try Self.expectRoundTrip(Self.question(text))
            try Self.expectRoundTrip(Self.request(text))
            try Self.expectRoundTrip(Self.response(text))
            try Self.expectRoundTrip(Self.error(text))
            try Self.expectRoundTrip(Self.regeneration(text))
            try Self.expectRoundTrip(Self.validated(text))
            try Self.expectRoundTrip(Self.deadLetter(text))
        }
    }

    @Test func nilOptionalsAreLeftOutAndReadBack() throws {
        var request = Self.request()
        request.firstScore = nil
        #expect(try !RawObject(request.jsonBytes).names.contains("first_score"))
        try Self.expectRoundTrip(request)
        var regeneration = Self.regeneration()
        regeneration.firstScore = nil
        regeneration.previousScore = nil
        try Self.expectRoundTrip(regeneration)
        var validated = Self.validated()
        validated.firstScore = nil
        try Self.expectRoundTrip(validated)
        // Explicit nulls read as absent too.
        let withNull = try RawObject(Self.request().jsonBytes).replacing("first_score", with: "null")
        #expect(try LLMRequest.decode(withNull.bytes).firstScore == nil)
    }

    @Test func doublesKeepEveryBit() throws {
        var generator = SystemRandomNumberGenerator()
        var response = Self.response("")
        for _ in 0..<5_000 {
            var value = Double(bitPattern: generator.next())
            if !value.isFinite { value = Double.random(in: 0...1, using: &generator) }
            // Within the domain of latency_ms (0 to a day), every bit still random below it.
            value = value.magnitude
            while value > MessageDomain.latencyMilliseconds.upperBound { value /= 1e10 }
            response.latencyMs = value
            response.firstScore = Double.random(in: 0...1, using: &generator)
            let decoded = try LLMResponse.decode(response.jsonBytes)
            #expect(decoded.latencyMs.bitPattern == value.bitPattern)
            #expect(decoded.firstScore == response.firstScore)
        }
    }

    @Test func nonFiniteScoresTravelAsNullAndAreRefused() throws {
        var validated = Self.validated()
        validated.score = .nan
        #expect(String(decoding: validated.jsonBytes, as: UTF8.self).contains("\"score\":null"))
        #expect(Self.failure(ValidatedResponse.self, validated.jsonBytes)?.field == "score")
    }

    // MARK: - questions published by hand

    @Test func acceptsAHandPublishedQuestion() throws {
        let text = #"{"question_id":"42","title":"Why is the sky blue?","content":"","best_answer":"Air scatters blue light."}"#
        let before = Timestamp.now()
        let question = try QuestionMessage.decode(Array(text.utf8))
        let again = try QuestionMessage.decode(Array(text.utf8))
        #expect(question.questionID == "42")
        #expect(question.title == "Why is the sky blue?")
        #expect(question.content == "")
        #expect(question.bestAnswer == "Air scatters blue light.")
        #expect(question.source == "manual")
        #expect(question.attempts == 0)
        #expect(question.createdAt >= before && question.createdAt <= Timestamp.now())
        for id in [question.messageID, question.traceID] {
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
        }
        #expect(question.messageID != question.traceID)
        #expect(question.messageID != again.messageID && question.traceID != again.traceID)

        let integerID = try QuestionMessage.decode(Array(#"{"question_id":42,"title":"t","best_answer":"a"}"#.utf8))
        #expect(integerID.questionID == "42")
        #expect(integerID.content == "")
        #expect(try QuestionMessage.decode(Array(#"{"question_id":-7.0,"title":"t","best_answer":"a"}"#.utf8)).questionID == "-7")
        let nulls = #"{"message_id":null,"trace_id":null,"question_id":"1","title":"t","content":null,"best_answer":"a","source":null,"created_at":null,"attempts":null}"#
        let filled = try QuestionMessage.decode(Array(nulls.utf8))
        #expect(filled.messageID.count == 32 && filled.source == "manual" && filled.content == "" && filled.attempts == 0)

        let given = #"{"message_id":"mine","question_id":"1","title":"t","best_answer":"a","created_at":"2026-11-25T13:50:00.123+00:00"}"#
        let kept = try QuestionMessage.decode(Array(given.utf8))
        #expect(kept.messageID == "mine" && kept.createdAt == Self.created && kept.traceID.count == 32)

        let minimal = try RawObject(text)
        for name in ["question_id", "title", "best_answer"] {
            #expect(Self.failure(QuestionMessage.self, minimal.removing(name)) == "missing field \"\(name)\"")
        }
    }

    // MARK: - errors

    static let requiredFields: [(any PipelineMessage, [String])] = [
        (question(), ["question_id", "title", "best_answer"]),
        (request(), ["message_id", "trace_id", "question_id", "title", "content", "prompt", "best_answer", "attempts", "created_at"]),
        (response(), ["message_id", "trace_id", "question_id", "title", "content", "prompt", "llm_answer", "best_answer", "latency_ms", "attempts", "produced_at"]),
        (error(), ["message_id", "trace_id", "question_id", "error_type", "error_detail", "attempts", "retry_at", "produced_at"]),
        (regeneration(), ["message_id", "trace_id", "question_id", "title", "content", "prompt", "best_answer", "attempts"]),
        (validated(), ["message_id", "trace_id", "question_id", "title", "content", "llm_answer", "best_answer", "score", "accepted", "source", "attempts", "decided_at"]),
        (deadLetter(), ["source_topic", "partition", "offset", "reason", "payload", "produced_at"]),
    ]

    static func decodeError(_ message: any PipelineMessage, _ object: RawObject) -> MessageDecodingError? {
        func open<Message: PipelineMessage>(_ message: Message) -> MessageDecodingError? {
            failure(Message.self, object.bytes)
        }
        return open(message)
    }

    @Test func everyMissingRequiredFieldIsNamed() throws {
        for (message, required) in Self.requiredFields {
            let object = try RawObject(message.jsonBytes)
            for name in object.names {
                let error = Self.decodeError(message, object.removing(name))
                if required.contains(name) {
                    #expect(error?.description == "missing field \"\(name)\"", "\(type(of: message)) without \(name)")
                    #expect(error?.field == name)
                } else {
                    #expect(error == nil, "\(type(of: message)) without \(name): \(String(describing: error))")
                }
            }
        }
    }

    @Test func wrongTypesAreNamed() throws {
        let question = try RawObject(Self.question().jsonBytes)
        let questionCases: [(String, String, String)] = [
            ("question_id", "true", #"field "question_id" must be a string or an integer"#),
            ("question_id", "4.5", #"field "question_id" must be a string or an integer"#),
            ("question_id", "null", #"field "question_id" must be a string or an integer"#),
            ("title", "5", #"field "title" must be a string"#),
            ("title", "null", #"field "title" must be a string"#),
            ("title", #"["a"]"#, #"field "title" must be a string"#),
            ("title", #""bad \q escape""#, #"field "title" is not a valid JSON string: invalid escape '\q'"#),
            ("message_id", "7", #"field "message_id" must be a string"#),
            ("attempts", #""3""#, #"field "attempts" must be an integer"#),
            ("attempts", "3.5", #"field "attempts" must be an integer"#),
            ("attempts", "1e30", #"field "attempts" must be an integer"#),
            ("attempts", "true", #"field "attempts" must be an integer"#),
            ("created_at", #""yesterday""#, #"field "created_at" is not an ISO-8601 timestamp"#),
            ("created_at", "1795614600123", #"field "created_at" is not an ISO-8601 timestamp"#),
            ("created_at", #""2026-11-25T13:50:00""#, #"field "created_at" is not an ISO-8601 timestamp"#),
        ]
        for (name, json, expected) in questionCases {
            #expect(Self.failure(QuestionMessage.self, question.replacing(name, with: json)) == expected, "\(name): \(json)")
        }
        #expect(try QuestionMessage.decode(question.replacing("attempts", with: "3.0").bytes).attempts == 3)
        #expect(try QuestionMessage.decode(question.replacing("attempts", with: "2e0").bytes).attempts == 2)

        let response = try RawObject(Self.response().jsonBytes)
        #expect(Self.failure(LLMResponse.self, response.replacing("latency_ms", with: #""fast""#)) == #"field "latency_ms" must be a number"#)
        #expect(Self.failure(LLMResponse.self, response.replacing("first_score", with: "false")) == #"field "first_score" must be a number"#)
        #expect(Self.failure(LLMResponse.self, response.replacing("produced_at", with: "null")) == #"field "produced_at" is not an ISO-8601 timestamp"#)
        #expect(try LLMResponse.decode(response.replacing("latency_ms", with: "12").bytes).latencyMs == 12)

        let validated = try RawObject(Self.validated().jsonBytes)
        #expect(Self.failure(ValidatedResponse.self, validated.replacing("accepted", with: "1")) == #"field "accepted" must be true or false"#)
        #expect(Self.failure(ValidatedResponse.self, validated.replacing("source", with: #""llm""#)) == #"field "source" must be one of cache, storage, score, coalesced, failed"#)
        #expect(Self.failure(ValidatedResponse.self, validated.replacing("status", with: #""maybe""#)) == #"field "status" must be one of accepted, forced, failed"#)
        #expect(Self.failure(ValidatedResponse.self, validated.replacing("llm_calls", with: "-0.5")) == #"field "llm_calls" must be an integer"#)

        let deadLetter = try RawObject(Self.deadLetter().jsonBytes)
        #expect(Self.failure(DeadLetter.self, deadLetter.replacing("offset", with: "9223372036854775808")) == #"field "offset" must be an integer"#)
        #expect(Self.failure(DeadLetter.self, deadLetter.replacing("partition", with: "1.5")) == #"field "partition" must be an integer"#)
        #expect(try DeadLetter.decode(deadLetter.replacing("offset", with: "-9223372036854775808").bytes).offset == .min)
    }

    @Test func invalidJSONIsReportedWithThePlace() {
        let texts = ["", "   ", "[]", #"{"question_id": "1","#, #"{"question_id": "1"} extra"#, #"{"title": "unterminated}"#, "\u{FEFF}{}"]
        for text in texts {
            let error = Self.failure(QuestionMessage.self, Array(text.utf8))
            #expect(error?.description.hasPrefix("invalid JSON: ") == true, "\(text): \(String(describing: error))")
            #expect(error?.field == nil)
        }
        #expect(Self.failure(QuestionMessage.self, Array("{}".utf8))?.description == #"missing field "question_id""#)
    }

    // MARK: - schema evolution and interoperability

    @Test func unknownFieldsAndAnyOrderAreAccepted() throws {
        let validated = Self.validated()
        var object = try RawObject(validated.jsonBytes)
        object.fields.insert(("added_later", #"{"nested": [1, {"x": "}"}], "n": null}"#), at: 0)
        object.fields.insert(("message_idx", #""not the id""#), at: 3)
        object.fields.append(("list", "[true, false, null, 1.5e3]"))
        object.fields.append(("flag", "null"))
        #expect(try ValidatedResponse.decode(object.bytes) == validated)
        object.fields.reverse()
        #expect(try ValidatedResponse.decode(object.bytes) == validated)
        object.fields.shuffle()
        #expect(try ValidatedResponse.decode(object.bytes) == validated)
        // More fields than fit on the stack.
        for k in 0..<100 { object.fields.insert(("extra_\(k)", "\(k)"), at: k % object.fields.count) }
        #expect(try ValidatedResponse.decode(object.bytes) == validated)
        // A key written with escapes is the same key.
        let escapedKey = try RawObject(validated.jsonBytes).fields.map { field in
            field.name == "question_id" ? (name: #"question\u005fid"#, json: field.json) : field
        }
        #expect(try ValidatedResponse.decode(RawObject(fields: escapedKey).bytes) == validated)
    }

    @Test func readsOriginalSystemMessagesWithoutOurFields() throws {
        let response = try RawObject(Self.response().jsonBytes).removing("created_at").removing("first_score")
        let decodedResponse = try LLMResponse.decode(response.bytes)
        #expect(decodedResponse.createdAt == Self.later && decodedResponse.firstScore == nil)

        var error = try RawObject(Self.error().jsonBytes)
        for name in ["retries", "title", "content", "prompt", "best_answer", "created_at", "first_score"] { error = error.removing(name) }
        let decodedError = try ErrorMessage.decode(error.bytes)
        #expect(decodedError.title == "" && decodedError.prompt == "" && decodedError.retries == 0)
        #expect(decodedError.createdAt == decodedError.producedAt)

        let regeneration = try RegenerationRequest.decode(RawObject(Self.regeneration().jsonBytes).removing("created_at").bytes)
        #expect(abs(regeneration.createdAt.milliseconds(since: .now())) < 5_000)

        let base = try RawObject(Self.validated().jsonBytes).removing("status").removing("created_at").removing("llm_calls")
        let accepted = try ValidatedResponse.decode(base.bytes)
        #expect(accepted.status == .accepted && accepted.createdAt == accepted.decidedAt && accepted.llmCalls == 0)
        #expect(try ValidatedResponse.decode(base.replacing("accepted", with: "false").bytes).status == .forced)
        let failed = base.replacing("source", with: #""failed""#).replacing("accepted", with: "false")
        #expect(try ValidatedResponse.decode(failed.bytes).status == .failed)
    }

    /// What another producer (a Python service, a notebook) writes for the same message.
    static func foundationBytes(_ message: any PipelineMessage) throws -> [UInt8] {
        let object = try JSONSerialization.jsonObject(with: Data(message.jsonBytes))
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]))
    }

    @Test func interoperatesWithFoundationJSON() throws {
        func check<Message: PipelineMessage>(_ message: Message) throws {
            #expect(try Message.decode(Self.foundationBytes(message)) == message)
        }
        for text in [Self.tricky, ""] {
            try check(Self.question(text))
            try check(Self.request(text))
            try check(Self.response(text))
            try check(Self.error(text))
            try check(Self.regeneration(text))
            try check(Self.validated(text))
            try check(Self.deadLetter(text))
        }
        // And Foundation reads ours as the same values.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(Self.response().jsonBytes)) as? [String: Any])
        #expect(object["title"] as? String == Self.tricky)
        #expect(object["latency_ms"] as? Double == 812.0625)
        #expect(object["attempts"] as? Int == 2)
        #expect(object["produced_at"] as? String == "2026-11-25T13:50:02.311000Z")
        // Foundation's escapes (\/, \u00e9, surrogate pairs) read back.
        let escaped = #"{"question_id":"1","title":"a\/b \u00e9 \ud83d\ude42 \u0000","best_answer":"x"}"#
        #expect(try QuestionMessage.decode(Array(escaped.utf8)).title == "a/b é 🙂 \u{0}")
    }

    // MARK: - smaller pieces

    @Test func deadLettersRepairInvalidUTF8() throws {
        let bytes: [UInt8] = [0x7B, 0xFF, 0x22, 0xC3, 0x7D]
        let letter = bytes.withUnsafeBytes {
            DeadLetter(sourceTopic: "llm_requests", partition: 0, offset: 7, reason: "invalid JSON", payload: $0, producedAt: Self.later)
        }
        #expect(letter.payload == "{\u{FFFD}\"\u{FFFD}}")
        try Self.expectRoundTrip(letter)
    }

    @Test func idsAndTopics() {
        let ids = (0..<10_000).map { _ in MessageID.make() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) } })
        #expect(ValidatedResponse.messageID(forTrace: "abc") == "v-abc")
        #expect(Topic.allCases.map(\.name) == [
            "questions_in", "llm_requests", "llm_responses", "llm_errors", "regeneration_requests",
            "validated_responses", "dead_letters",
        ])
        #expect(Topic.llmErrors.name(prefix: "t42_") == "t42_llm_errors")
        #expect(QuestionMessage.topic == .questionsIn && DeadLetter.topic == .deadLetters)
    }

    @Test func numbersParseLikeTheStandardLibrary() {
        func integer(_ text: String) -> Int64? {
            var text = text
            return text.withUTF8 { JSONNumber.integer($0) }
        }
        func double(_ text: String) -> Double? {
            var text = text
            return text.withUTF8 { JSONNumber.double($0) }
        }
        #expect(integer("0") == 0 && integer("-0") == 0 && integer("3.0") == 3 && integer("1e2") == 100)
        #expect(integer("9223372036854775807") == .max && integer("-9223372036854775808") == .min)
        #expect(integer("9223372036854775808") == nil && integer("1.5") == nil && integer("1e19") == nil)
        #expect(integer("") == nil && integer("-") == nil)
        var generator = SystemRandomNumberGenerator()
        var texts = ["0", "-0.0", "1e22", "1e23", "9007199254740993", "0.1", "1E-7", "123456789012345678901234", "2.2250738585072014e-308", "5e-324"]
        for _ in 0..<20_000 {
            let value = Double(bitPattern: generator.next())
            if value.isFinite { texts.append(value.description) }
            texts.append(String(Int.random(in: -1_000_000...1_000_000, using: &generator)) + "." + String(Int.random(in: 0...99_999_999, using: &generator)))
            texts.append("\(Int.random(in: 1...999, using: &generator))e\(Int.random(in: -30...30, using: &generator))")
        }
        for text in texts {
            #expect(double(text)?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
        #expect(double("1e400") == nil && double("") == nil && double("1.") == nil && double(".5") == nil && double("1e") == nil && double("-") == nil)
    }

    // MARK: - docs/messages.md

    struct DocSection {
        var topic: String
        var tableFields: [String] = []
        var example: String?
    }

    static func documentation() throws -> (sections: [DocSection], kcatLines: [String]) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/messages.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        var sections: [DocSection] = []
        var kcatLines: [String] = []
        var inJSON = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## `") {
                sections.append(DocSection(topic: String(line.dropFirst(4).prefix { $0 != "`" })))
            } else if line == "```json" {
                inJSON = true
            } else if line.hasPrefix("```") {
                inJSON = false
            } else if inJSON, !sections.isEmpty, sections[sections.count - 1].example == nil {
                sections[sections.count - 1].example = String(line)
            } else if line.hasPrefix("| `"), !sections.isEmpty {
                sections[sections.count - 1].tableFields.append(String(line.dropFirst(3).prefix { $0 != "`" }))
            } else if line.hasPrefix("echo '") {
                kcatLines.append(String(line))
            }
        }
        return (sections, kcatLines)
    }

    static func reencoded(_ topic: Topic, _ bytes: [UInt8]) throws -> [UInt8] {
        func through<Message: PipelineMessage>(_ type: Message.Type) throws -> [UInt8] {
            let message = try Message.decode(bytes)
            #expect(try Message.decode(message.jsonBytes) == message)
            return message.jsonBytes
        }
        switch topic {
        case .questionsIn: return try through(QuestionMessage.self)
        case .llmRequests: return try through(LLMRequest.self)
        case .llmResponses: return try through(LLMResponse.self)
        case .llmErrors: return try through(ErrorMessage.self)
        case .regenerationRequests: return try through(RegenerationRequest.self)
        case .validatedResponses: return try through(ValidatedResponse.self)
        case .deadLetters: return try through(DeadLetter.self)
        }
    }

    @Test func documentedExamplesAreExactlyWhatTheCodecWrites() throws {
        let (sections, kcatLines) = try Self.documentation()
        #expect(sections.map(\.topic) == Topic.allCases.map(\.name))
        for section in sections {
            let topic = try #require(Topic(rawValue: section.topic))
            let example = try #require(section.example, "no example for \(section.topic)")
            let bytes = Array(example.utf8)
            let written = try Self.reencoded(topic, bytes)
            #expect(String(decoding: written, as: UTF8.self) == example, "\(section.topic)")
            #expect(try RawObject(bytes).names == section.tableFields, "\(section.topic): table and example disagree")
        }
        #expect(kcatLines.count == 1)
        for line in kcatLines {
            let json = line.dropFirst("echo '".count).prefix { $0 != "'" }
            let question = try QuestionMessage.decode(Array(json.utf8))
            #expect(question.source == "manual")
            #expect(line.contains("-t questions_in -k \(question.questionID)"))
        }
    }
}

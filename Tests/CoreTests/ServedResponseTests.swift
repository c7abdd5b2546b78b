import Testing

@testable import VeredictoCore

/// The cache writes the responses it serves from the question and the answer's JSON, without
/// building a `ValidatedResponse`: the bytes must be those of the value it stands for.
@Suite struct ServedResponseTests {
    static let texts = ["", "plain", "a \"quoted\" line\nnext\ttab \\ back", "é 🙂 \u{01} \u{1F}",
                        String(repeating: "long answer text without specials ", count: 9) + "\"end\""]

    @Test func servedBytesAreThoseOfTheResponse() throws {
        let decidedAt = Timestamp(microsecondsSinceEpoch: 1_790_000_000_123_456)
        var checked = 0
        for (index, text) in Self.texts.enumerated() {
            let question = QuestionMessage(messageID: "m-\(index)", traceID: "trace-\(index)-\(text.count)",
                                           questionID: "q\(index)", title: text, content: Self.texts[(index + 1) % 5],
                                           bestAnswer: Self.texts[(index + 2) % 5],
                                           createdAt: Timestamp(microsecondsSinceEpoch: 1_789_999_999_000_001 + Int64(index)))
            let answer = Self.texts[(index + 3) % 5]
            for (status, source) in [(ValidatedResponse.Status.accepted, ValidatedResponse.Source.cache),
                                     (.forced, .storage), (.accepted, .coalesced), (.forced, .cache)] {
                for score in [0.0, 0.125, 1.0 / 3.0, 1.0] {
                    var context = question.context(prompt: "")
                    context.firstScore = score
                    var expected = ValidatedResponse(context, llmAnswer: answer, score: score, status: status,
                                                     source: source, attempts: 0, llmCalls: 0)
                    expected.decidedAt = decidedAt
                    let served = ValidatedResponse.servedJSON(answering: AskedQuestion(question),
                                                              llmAnswer: JSONEncodedString(answer),
                                                              score: score, status: status, source: source,
                                                              decidedAt: decidedAt)
                    #expect(served == expected.jsonBytes)
                    #expect(try ValidatedResponse.decode(served) == expected)
                    checked += 1
                }
            }
        }
        #expect(checked == 80)
    }

    @Test func anEncodedStringIsTheWritersString() {
        for text in Self.texts {
            var writer = JSONWriter()
            writer.string(text)
            #expect(JSONEncodedString(text).bytes == writer.bytes)
        }
    }

    // MARK: - askings read by the cache (`AskedQuestion`)

    static func asked(_ json: [UInt8]) throws -> AskedQuestion {
        try json.withUnsafeBytes { try AskedQuestion.decode($0, fallbackMessageID: "m-fallback", fallbackTraceID: "t-fallback") }
    }

    static func asked(_ json: String) throws -> AskedQuestion { try asked(Array(json.utf8)) }

    @Test func anAskingReadAndServedGivesTheBytesOfTheWholeMessage() throws {
        let decidedAt = Timestamp(microsecondsSinceEpoch: 1_790_000_000_123_456)
        for (index, text) in Self.texts.enumerated() {
            let question = QuestionMessage(messageID: "m-\(index)", traceID: "trace-\(index)", questionID: "q\(index)",
                                           title: text, content: Self.texts[(index + 1) % 5],
                                           bestAnswer: Self.texts[(index + 2) % 5], source: "yahoo_answers",
                                           createdAt: Timestamp(microsecondsSinceEpoch: 1_789_999_999_000_001), attempts: 2)
            let asked = try Self.asked(question.jsonBytes)
            #expect(asked.message == question)
            #expect(asked.jsonBytes == question.jsonBytes && AskedQuestion(question).jsonBytes == question.jsonBytes)
            let answer = JSONEncodedString(Self.texts[(index + 3) % 5])
            let fromAsked = ValidatedResponse.servedJSON(answering: asked, llmAnswer: answer, score: 0.5, status: .accepted,
                                                         source: .cache, decidedAt: decidedAt)
            let fromMessage = ValidatedResponse.servedJSON(answering: AskedQuestion(question), llmAnswer: answer, score: 0.5,
                                                           status: .accepted, source: .cache, decidedAt: decidedAt)
            #expect(fromAsked == fromMessage)
        }
    }

    @Test func asciiTextIsCopiedAsItArrivedAndReadsTheSame() throws {
        // Escapes the writer would not use: kept, and the served response reads as the message does.
        let json = #"{"question_id":"q1","title":"\u0041 \/ b","content":"x\u00e9y","best_answer":"\ud83d\ude42 \uD800"}"#
        let asked = try Self.asked(json)
        let message = try Array(json.utf8).withUnsafeBytes { try QuestionMessage.decode($0) }
        #expect(asked.message.title == "A / b" && asked.message.content == "x\u{E9}y")
        #expect(asked.message.bestAnswer == message.bestAnswer && message.bestAnswer.hasPrefix("\u{1F642} "))
        asked.withTexts { title, _, _ in #expect(Array(title) == Array(#""\u0041 \/ b""#.utf8)) }
        let served = try ValidatedResponse.decode(ValidatedResponse.servedJSON(
            answering: asked, llmAnswer: JSONEncodedString("a"), score: 1, status: .accepted, source: .cache))
        #expect(served.title == message.title && served.content == message.content
            && served.bestAnswer == message.bestAnswer)
    }

    @Test func invalidUTF8IsRepairedAsTheWholeMessageReadsIt() throws {
        var json = Array(#"{"question_id":"q1","title":"bad "#.utf8) + [0xFF, 0xC3]
        json += Array(#" end","best_answer":"ok"}"#.utf8)
        let asked = try Self.asked(json)
        let message = try json.withUnsafeBytes { try QuestionMessage.decode($0) }
        #expect(asked.message.title == message.title && message.title.contains("\u{FFFD}"))
        let served = ValidatedResponse.servedJSON(answering: asked, llmAnswer: JSONEncodedString(""), score: 0,
                                                  status: .forced, source: .storage)
        #expect(String(validating: served, as: UTF8.self) != nil)
        #expect(try ValidatedResponse.decode(served).title == message.title)
    }

    @Test func anAskingIsCheckedAsTheWholeMessageIs() throws {
        let cases: [(String, String)] = [
            (#"{"question_id":"q","best_answer":"b"}"#, #"missing field "title""#),
            (#"{"question_id":"q","title":null,"best_answer":"b"}"#, #"field "title" must be a string"#),
            (#"{"question_id":"q","title":"t"}"#, #"missing field "best_answer""#),
            (#"{"question_id":"q","title":"t","content":7,"best_answer":"b"}"#, #"field "content" must be a string"#),
            (#"{"question_id":"q","title":"a\x","best_answer":"b"}"#, #"field "title" is not a valid JSON string"#),
        ]
        for (json, reason) in cases {
            #expect {
                try Self.asked(json)
            } throws: { error in
                "\(error)".hasPrefix(reason)
            }
            #expect(throws: (any Error).self) { try Array(json.utf8).withUnsafeBytes { try QuestionMessage.decode($0) } }
        }
        // Absent or null content is empty, and the ids fall back.
        let asked = try Self.asked(#"{"question_id":5,"title":"t","content":null,"best_answer":"b"}"#)
        #expect(asked.message.content == "" && asked.questionID == "5" && asked.traceID == "t-fallback"
            && asked.messageID == "m-fallback" && asked.source == "manual")
    }

    // MARK: - what the cache skips on `validated_responses`

    static func answer(_ json: [UInt8]) throws -> ValidatedResponse.Answer? {
        try json.withUnsafeBytes { try ValidatedResponse.decodeAnswer($0) }
    }

    static func response(source: ValidatedResponse.Source, attempts: Int) -> ValidatedResponse {
        let status: ValidatedResponse.Status = source == .failed ? .failed : .accepted
        return ValidatedResponse(messageID: "v-t", traceID: "t", questionID: "q", title: "T", content: "", llmAnswer: "A",
                                 bestAnswer: "B", score: 0.5, accepted: status == .accepted, source: source,
                                 attempts: attempts, decidedAt: Timestamp(microsecondsSinceEpoch: 1_790_000_000_000_000),
                                 status: status, firstScore: 0.5, createdAt: Timestamp(microsecondsSinceEpoch: 1_790_000_000_000_000),
                                 llmCalls: attempts)
    }

    @Test func responsesThatEndNoChainAreSkippedFromTheirFirstFields() throws {
        for source in [ValidatedResponse.Source.cache, .storage, .coalesced] {
            let bytes = Self.response(source: source, attempts: 0).jsonBytes
            #expect(bytes.withUnsafeBytes { ValidatedResponse.endsNoChain($0) }, "\(source)")
            #expect(try Self.answer(bytes) == nil)
            // Broken after its first fields: the cache skips it, the store (reading it whole) rejects it.
            let broken = Array(bytes.prefix(40)) + Array(#"garbage"#.utf8)
            #expect(try Self.answer(broken) == nil)
            #expect(throws: MessageDecodingError.self) { try ValidatedResponse.decode(broken) }
        }
        // A remembered failure (no attempt) teaches nothing; a chain's failure does.
        let remembered = Self.response(source: .failed, attempts: 0).jsonBytes
        #expect(remembered.withUnsafeBytes { ValidatedResponse.endsNoChain($0) })
        #expect(try Self.answer(remembered) == nil)
        let chainFailure = Self.response(source: .failed, attempts: 3).jsonBytes
        #expect(!chainFailure.withUnsafeBytes { ValidatedResponse.endsNoChain($0) })
        #expect(try Self.answer(chainFailure)?.status == .failed)
        let scored = Self.response(source: .score, attempts: 2).jsonBytes
        #expect(!scored.withUnsafeBytes { ValidatedResponse.endsNoChain($0) })
        #expect(try Self.answer(scored) == ValidatedResponse.Answer(questionID: "q", traceID: "t", llmAnswer: "A",
                                                                     score: 0.5, status: .accepted))
    }

    @Test func aResponseInAnotherFormIsReadWhole() throws {
        // Another field order, a space, an escape or an attempt count like 05: read and checked whole.
        let served = String(decoding: Self.response(source: .cache, attempts: 0).jsonBytes, as: UTF8.self)
        let reordered = served.replacingOccurrences(of: #"{"source":"cache","attempts":0,"#, with: "{")
            .replacingOccurrences(of: #""decided_at""#, with: #""source":"cache","attempts":0,"decided_at""#)
        for form in [reordered, served.replacingOccurrences(of: #"{"source":"#, with: #"{ "source":"#),
                     served.replacingOccurrences(of: #""cache""#, with: #""\u0063ache""#)] {
            let bytes = Array(form.utf8)
            #expect(!bytes.withUnsafeBytes { ValidatedResponse.endsNoChain($0) }, "\(form)")
            #expect(try Self.answer(bytes) == nil)
            let broken = Array(form.replacingOccurrences(of: #""score":0.5"#, with: #""score":"high""#).utf8)
            #expect(throws: MessageDecodingError.self) { try Self.answer(broken) }
        }
        let remembered = String(decoding: Self.response(source: .failed, attempts: 0).jsonBytes, as: UTF8.self)
        let padded = Array(remembered.replacingOccurrences(of: #""attempts":0,"#, with: #""attempts":05,"#).utf8)
        #expect(!padded.withUnsafeBytes { ValidatedResponse.endsNoChain($0) })
    }
}

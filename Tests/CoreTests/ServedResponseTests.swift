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
                    let served = ValidatedResponse.servedJSON(answering: question, llmAnswer: JSONEncodedString(answer),
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
}

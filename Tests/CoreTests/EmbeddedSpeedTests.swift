import Foundation
import Testing

@testable import Generator
@testable import LLM
@testable import Storage
@testable import Transport
@testable import VeredictoCore

/// The codecs and structures behind the embedded mode's speed: they must read and decide
/// exactly as the plain versions do.
@Suite struct AnswerDecodingTests {
    static func answer(_ object: RawObject) throws -> ValidatedResponse.Answer? {
        try object.bytes.withUnsafeBytes { try ValidatedResponse.decodeAnswer($0) }
    }

    static func answerFailure(_ object: RawObject) -> String? {
        do {
            _ = try answer(object)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func anAnswerOfTheLLMPathIsLearnt() throws {
        let response = MessagesTests.validated()
        let answer = try #require(try Self.answer(RawObject(response.jsonBytes)))
        #expect(answer == ValidatedResponse.Answer(questionID: response.questionID, traceID: response.traceID, llmAnswer: response.llmAnswer,
                                                   score: response.score, status: .accepted))
    }

    @Test func repeatsTeachNothingAndChainFailuresAreLearntAsFailures() throws {
        for (source, status) in [(ValidatedResponse.Source.cache, ValidatedResponse.Status.accepted),
                                 (.storage, .forced), (.coalesced, .accepted)] {
            var response = MessagesTests.validated()
            response.source = source
            response.status = status
            response.accepted = status == .accepted
            #expect(try Self.answer(RawObject(response.jsonBytes)) == nil, "\(source) \(status)")
        }
        for (source, status) in [(ValidatedResponse.Source.failed, ValidatedResponse.Status.failed)] {
            var response = MessagesTests.validated()
            response.source = source
            response.status = status
            response.accepted = false
            #expect(try Self.answer(RawObject(response.jsonBytes))?.status == .failed, "\(source) \(status)")
        }
        // A failure with no attempt is one the cache answered from its memory of failures.
        var remembered = MessagesTests.validated()
        remembered.source = .failed
        remembered.status = .failed
        remembered.accepted = false
        remembered.attempts = 0
        #expect(try Self.answer(RawObject(remembered.jsonBytes)) == nil)
        // Without a status, a forced accept is read from `accepted`, as `decode` reads it.
        let forced = try RawObject(MessagesTests.validated().jsonBytes).removing("status").replacing("accepted", with: "false")
        #expect(try Self.answer(forced)?.status == .forced)
    }

    @Test func rejectsWhatDecodeRejectsWithTheSameReason() throws {
        let valid = try RawObject(MessagesTests.validated().jsonBytes)
        var variants: [RawObject] = []
        for field in valid.names {
            variants.append(valid.removing(field))
            variants.append(valid.replacing(field, with: "[1]"))
            variants.append(valid.replacing(field, with: "\"\\x\""))
            variants.append(valid.replacing(field, with: "\"\\u12\""))
            variants.append(valid.replacing(field, with: "\"\\ud83d\\uZZZZ\""))
            variants.append(valid.replacing(field, with: "17"))
        }
        var rejected = 0
        for variant in variants {
            let expected = MessagesTests.failure(ValidatedResponse.self, variant)
            #expect(Self.answerFailure(variant) == expected, "\(variant.text)")
            if expected != nil { rejected += 1 }
        }
        #expect(rejected > variants.count / 2)
        #expect(Self.answerFailure(RawObject(fields: [])) != nil)
    }

    @Test func checkStringFailsExactlyWhereUnescapingFails() throws {
        let samples = [#"plain"#, #"a\"b\\c\/d\b\f\n\r\t"#, #"\u00e9\ud83d\ude42"#, #"\ud83d"#, #"\x"#, #"end\"#,
                       #"\u12"#, #"\u12G4"#, #"\ud83d\u12"#, #"\ud83d\uZZZZ"#, #"\ud83d\n"#]
        for sample in samples {
            let bytes = Array(sample.utf8)
            bytes.withUnsafeBufferPointer { raw in
                var unescapeError: String?
                var checkError: String?
                do { _ = try JSONScanner.string(raw, escaped: true) } catch { unescapeError = "\(error)" }
                do { try JSONScanner.checkString(raw, escaped: true) } catch { checkError = "\(error)" }
                #expect(checkError == unescapeError, "\(sample)")
            }
        }
    }
}

@Suite struct MessageIDSetTests {
    @Test func holdsEveryFormOnce() {
        var set = MessageIDSet()
        let packed = "v-" + String(repeating: "0123456789abcdef", count: 2)
        let ids = [packed, "v-" + MessageID.make(), "m-questions_in/0/7", "v-t1", "v-" + String(repeating: "A", count: 32),
                   "x-" + String(repeating: "a", count: 32), ""]
        #expect(MessageIDSet.pack(ids[0]) != nil && MessageIDSet.pack(ids[1]) != nil)
        #expect(ids[2...].allSatisfy { MessageIDSet.pack($0) == nil })
        for id in ids {
            #expect(!set.contains(id))
            let first = set.insert(id)
            #expect(first)
            #expect(set.contains(id))
            let again = set.insert(id)
            #expect(!again)
        }
        #expect(set.count == ids.count)
        // Ids differing in one digit of either half are different ids.
        #expect(!set.contains("v-1" + String(packed.dropFirst(3))))
        #expect(!set.contains(String(packed.dropLast()) + "e"))
    }

    @Test func manyGeneratedIDs() {
        var set = MessageIDSet()
        let ids = (0..<10_000).map { _ in ValidatedResponse.messageID(forTrace: MessageID.make()) }
        for id in ids {
            let inserted = set.insert(id)
            #expect(inserted)
        }
        #expect(ids.allSatisfy { set.contains($0) })
        #expect(set.count == 10_000)
    }
}

@Suite struct PipelineTopicsTests {
    @Test func namesFollowTheTopicsInOrder() {
        for prefix in ["", "exp1_"] {
            let topics = PipelineTopics(prefix: prefix)
            for (index, topic) in Topic.allCases.enumerated() {
                #expect(topic.ordinal == index)
                #expect(topics.name(topic) == prefix + topic.rawValue)
                #expect(topics.topic(named: topics.name(topic)) == topic)
                #expect(topic.isSuffix(of: topics.name(topic)))
            }
        }
        #expect(!Topic.validatedResponses.isSuffix(of: "responses"))
        #expect(!Topic.llmRequests.isSuffix(of: "llm_requests_x"))
        for topic in Topic.allCases {
            for other in Topic.allCases {
                for prefix in ["", "t42_", "ü-", String(repeating: "p", count: 40)] {
                    #expect(topic.isSuffix(of: prefix + other.rawValue) == (topic == other), "\(topic) in \(prefix)\(other)")
                }
            }
            #expect(!topic.isSuffix(of: ""))
            #expect(!topic.isSuffix(of: String(topic.rawValue.dropFirst())))
            #expect(!topic.isSuffix(of: topic.rawValue + "_"))
            #expect(!topic.isSuffix(of: String(topic.rawValue.dropLast()) + "X"))
        }
        #expect(PipelineTopics(prefix: "a") != PipelineTopics(prefix: "b"))
    }
}

@Suite struct HandWrittenFormattingTests {
    @Test func integersAsSwiftPrintsThem() {
        for value: Int64 in [0, 7, 9, 10, -1, -10, 12_345, 1_000_000, .max, .min, .max - 1, .min + 1] {
            var writer = JSONWriter()
            writer.integer(value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
        }
    }

    @Test func trafficLinesAsInterpolatedBefore() {
        let sentAt = Timestamp(millisecondsSinceEpoch: 1_795_614_600_123)
        for (sequence, scheduled) in [(0, 0.0), (17, 12.0), (3, 1.5), (99, 0.0005), (123_456, 123_456.789), (5, 2.0004999),
                                      (6, 1e16), (7, 4_000_000.25)] {
            let send = QuestionGenerator.Send(sequence: sequence, questionID: "q\(sequence)", traceID: MessageID.make(),
                                              scheduledMilliseconds: scheduled, sentAt: sentAt)
            var buffer: [UInt8] = []
            TrafficLog.appendLine(send, to: &buffer)
            let expected = "\(send.sequence),\(send.questionID),\(send.traceID),\(String(format: "%.3f", scheduled)),"
                + "\(sentAt.iso8601)\n"
            #expect(String(decoding: buffer, as: UTF8.self) == expected)
        }
    }
}

@Suite struct PromptTextTests {
    @Test func asciiTextAsTheCharacterBasedWay() {
        let pieces = ["a", " ", "\\", "n", "\\n", "\t", "\r\n", "\r", "\u{0B}", "\u{0C}", "x y", "\\\\n", "?", ""]
        var random = SplitMix64(seed: 9)
        var samples = pieces + ["", "   ", "\\n\\n", " \\n a \\n ", "\\\\n\\\\", "line\\nline\\n\\n"]
        for _ in 0..<2_000 {
            samples.append((0..<Int(random.next() % 9)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined())
        }
        for sample in samples {
            #expect(LLMCompletionRequest.promptText(sample) == sample.replacing("\\n", with: "\n").trimmingBlanks(),
                    "\(sample.debugDescription)")
        }
        // Other text takes the Character-based way.
        #expect(LLMCompletionRequest.promptText(" é\\n ") == "é")
    }
}

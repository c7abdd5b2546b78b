import Testing

@testable import Stages
@testable import Transport
@testable import VeredictoCore

/// A question published by hand without ids gets them from its record's place, so that a
/// redelivery of the record is the same asking rather than a new one.
@Suite struct QuestionRecordIDTests {
    static let handWritten =
        #"{"question_id":"42","title":"Why is the sky blue?","content":"","best_answer":"Air scatters blue light more than red light."}"#

    static func decode(_ json: String, topic: String = "questions_in", partition: Int32 = 3,
                       offset: Int64 = 18842) -> Inbound<CacheStage.Input> {
        Array(json.utf8).withUnsafeBytes { value in
            CacheStage.decode(RawMessage(topic: topic, partition: partition, offset: offset,
                                         key: UnsafeRawBufferPointer(start: nil, count: 0), value: value))
        }
    }

    static func question(_ json: String, topic: String = "questions_in", partition: Int32 = 3,
                         offset: Int64 = 18842) throws -> QuestionMessage {
        guard case .message(.asking(let question, _)) = decode(json, topic: topic, partition: partition, offset: offset)
        else {
            throw DecodeFailure()
        }
        return question.message
    }

    struct DecodeFailure: Error {}

    @Test func questionWithoutIdsGetsIdsFromItsRecord() throws {
        let question = try Self.question(Self.handWritten)
        #expect(question.traceID == "t-questions_in/3/18842")
        #expect(question.messageID == "m-questions_in/3/18842")
        #expect(question.questionID == "42" && question.source == "manual" && question.attempts == 0)
    }

    @Test func redeliveryOfTheSameRecordIsTheSameAsking() throws {
        let first = try Self.question(Self.handWritten)
        let again = try Self.question(Self.handWritten)
        #expect(again.traceID == first.traceID && again.messageID == first.messageID)
        // The same text published again is another record: another asking.
        let republished = try Self.question(Self.handWritten, offset: 18843)
        #expect(republished.traceID == "t-questions_in/3/18843" && republished.traceID != first.traceID)
        let otherPartition = try Self.question(Self.handWritten, partition: 0)
        #expect(otherPartition.traceID == "t-questions_in/0/18842")
    }

    @Test func prefixedTopicIsPartOfTheIds() throws {
        let question = try Self.question(Self.handWritten, topic: "exp7_questions_in", partition: 1, offset: 0)
        #expect(question.traceID == "t-exp7_questions_in/1/0" && question.messageID == "m-exp7_questions_in/1/0")
    }

    @Test func idsGivenInTheMessageAreKept() throws {
        let withIDs = #"{"message_id":"msg-1","trace_id":"trace-1","question_id":7,"title":"T","best_answer":"B"}"#
        let question = try Self.question(withIDs)
        #expect(question.messageID == "msg-1" && question.traceID == "trace-1" && question.questionID == "7")

        // Each missing id is filled on its own.
        let onlyMessageID = try Self.question(#"{"message_id":"msg-2","question_id":"7","title":"T","best_answer":"B"}"#)
        #expect(onlyMessageID.messageID == "msg-2" && onlyMessageID.traceID == "t-questions_in/3/18842")
        let onlyTraceID = try Self.question(#"{"trace_id":"trace-3","question_id":"7","title":"T","best_answer":"B"}"#)
        #expect(onlyTraceID.traceID == "trace-3" && onlyTraceID.messageID == "m-questions_in/3/18842")
    }

    @Test func fallbacksAreEvaluatedOnlyForMissingIds() throws {
        var evaluated = 0
        func fallback() -> String {
            evaluated += 1
            return "fallback"
        }
        let bytes = Array(#"{"message_id":"m","trace_id":"t","question_id":"1","title":"T","best_answer":"B"}"#.utf8)
        let question = try bytes.withUnsafeBytes {
            try QuestionMessage.decode($0, fallbackMessageID: fallback(), fallbackTraceID: fallback())
        }
        #expect(question.messageID == "m" && question.traceID == "t" && evaluated == 0)
    }

    @Test func plainDecodeStillDrawsFreshIds() throws {
        let bytes = Array(Self.handWritten.utf8)
        let first = try QuestionMessage.decode(bytes)
        let second = try QuestionMessage.decode(bytes)
        #expect(first.traceID.count == 32 && first.traceID != second.traceID && first.messageID != second.messageID)
    }

    @Test func unreadableQuestionIsStillADeadLetter() {
        guard case .invalid(let invalid) = Self.decode(#"{"question_id":"7","title":"T"}"#) else {
            Issue.record("a question without best_answer was accepted")
            return
        }
        #expect(invalid.reason == #"missing field "best_answer""# && invalid.offset == 18842 && invalid.partition == 3)
    }
}

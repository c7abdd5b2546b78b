import Cache
import Stages
import VeredictoCore
import Testing
import TestSupport

/// Unreadable records on a service's input go to `dead_letters` with the reason, the records
/// around them are still processed, and the group commits past them.
@Suite(.timeLimit(.minutes(5))) struct DeadLetterServiceTests {
    @Test func unreadableQuestionsGoToDeadLettersAndAreCommittedPast() async throws {
        // One partition: the offsets of the records published below are 0, 1, 2, 3.
        try await ServiceHarness.run("dead-letters", partitions: 1) { harness in
            let reader = try await harness.reader(.deadLetters, .llmRequests)
            let group = harness.topics.prefix + "cache"
            func cacheStage() -> CacheStage {
                CacheStage(topics: harness.topics, configuration: CacheConfiguration(), storage: nil)
            }
            let first = try await harness.start(cacheStage(), group: group)

            let before = Samples.question(Samples.uniqueID("q"))
            let after = Samples.question(Samples.uniqueID("q"))
            let notJSON = Array("question 7: is a tomato a fruit?".utf8)
            let noBestAnswer = Array(#"{"question_id":"7","title":"Is a tomato a fruit?"}"#.utf8)
            try await harness.publishRaw([before.jsonBytes, notJSON, noBestAnswer, after.jsonBytes], to: .questionsIn,
                                         key: "k7")

            // The valid questions around the unreadable ones are processed.
            _ = try await reader.first(LLMRequest.self, trace: before.traceID)
            _ = try await reader.first(LLMRequest.self, trace: after.traceID)
            try await reader.read(until: "two dead letters") { $0.records(on: .deadLetters).count >= 2 }
            let letters = try reader.messages(DeadLetter.self).sorted { $0.offset < $1.offset }
            #expect(letters.count == 2)
            let questionsIn = harness.topics.name(.questionsIn)
            #expect(letters.allSatisfy { $0.sourceTopic == questionsIn && $0.partition == 0 })
            #expect(letters.map(\.offset) == [1, 2])
            #expect(letters.first?.reason.hasPrefix("invalid JSON") == true, "\(letters.first?.reason ?? "")")
            #expect(letters.last?.reason == #"missing field "best_answer""#)
            #expect(letters.map { Array($0.payload.utf8) } == [notJSON, noBestAnswer])
            #expect(reader.records(on: .deadLetters).allSatisfy { $0.key == "k7" })
            #expect(letters.allSatisfy { $0.producedAt.milliseconds(since: .now()) <= 0 })

            let counters = try await first.waitUntilConsumed(4)
            #expect(counters.deadLetters == 2)
            #expect(await first.stop(), "the first cache runner did not stop")

            // A new member of the same group starts after the committed offset: it sees only
            // what is published now.
            let second = try await harness.start(cacheStage(), group: group)
            let later = Samples.question(Samples.uniqueID("q"))
            try await harness.publish(later)
            _ = try await reader.first(LLMRequest.self, trace: later.traceID)
            let secondCounters = try await second.waitUntilConsumed(1)
            #expect(secondCounters.consumed == 1 && secondCounters.deadLetters == 0)
            #expect(secondCounters.polled == 1)
            // Both runners' outputs are acknowledged: read exactly that many records.
            let produced = counters.produced + secondCounters.produced
            try await reader.read(until: "\(produced) records") { $0.records.count >= produced }
            #expect(reader.records.count == produced)
            #expect(reader.records(on: .deadLetters).count == 2)
            #expect(try reader.messages(LLMRequest.self).count == 3)
        }
    }
}

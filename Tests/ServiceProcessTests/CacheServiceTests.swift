import Cache
import Mongo
import Stages
import Storage
import VeredictoCore
import Testing
import TestSupport

/// The cache service alone over the real broker and MongoDB: what it makes of questions,
/// stored results, decisions and regeneration requests.
@Suite(.timeLimit(.minutes(5))) struct CacheServiceTests {
    static func cacheStage(_ harness: ServiceHarness, failureTTLSeconds: Int = 5, clock: CacheClock = .monotonic)
        -> CacheStage
    {
        var configuration = CacheConfiguration()
        configuration.failureTTLSeconds = failureTTLSeconds
        configuration.clock = clock
        return CacheStage(topics: harness.topics, configuration: configuration,
                          storage: MongoResultStore(database: harness.database))
    }

    @Test func questionInNeitherCacheNorStorageGoesToTheLLM() async throws {
        try await ServiceHarness.run("cache-miss") { harness in
            let reader = try await harness.reader(.llmRequests, .validatedResponses)
            try await harness.start(Self.cacheStage(harness))
            let question = Samples.question(Samples.uniqueID("q"))
            try await harness.publish(question)

            let request = try await reader.first(LLMRequest.self, trace: question.traceID)
            #expect(request.attempts == 1 && request.retries == 0)
            #expect(request.questionID == question.questionID && request.title == question.title)
            #expect(request.content == question.content && request.bestAnswer == question.bestAnswer)
            #expect(request.prompt == Samples.prompt)
            #expect(request.createdAt == question.createdAt && request.firstScore == nil)
            #expect(request.messageID != question.messageID)
            #expect(try reader.messages(ValidatedResponse.self, trace: question.traceID).isEmpty)
        }
    }

    @Test func questionPublishedByHandWithoutIdsTakesThemFromItsRecord() async throws {
        try await ServiceHarness.run("cache-manual") { harness in
            let reader = try await harness.reader(.questionsIn, .llmRequests)
            try await harness.start(Self.cacheStage(harness))
            let questionID = Samples.uniqueID("q")
            let json = #"{"question_id":"\#(questionID)","title":"Why is the sky blue?","content":"","#
                + #""best_answer":"Air scatters blue light more than red light."}"#
            try await harness.publishRaw([Array(json.utf8)], to: .questionsIn, key: questionID)

            try await reader.read(until: "the LLMRequest of the hand-written question") {
                try $0.messages(LLMRequest.self).contains { $0.questionID == questionID }
            }
            let record = try #require(reader.records(on: .questionsIn).first { $0.text == json })
            let place = "\(record.topic)/\(record.partition)/\(record.offset)"
            let request = try #require(try reader.messages(LLMRequest.self).first { $0.questionID == questionID })
            #expect(request.traceID == "t-" + place)
            #expect(request.attempts == 1 && request.content == "" && request.title == "Why is the sky blue?")
        }
    }

    @Test func storedResultIsServedFromStorageThenFromTheCache() async throws {
        try await ServiceHarness.run("cache-storage") { harness in
            let questionID = Samples.uniqueID("q")
            let stored = Samples.decision(questionID, answer: "Six hours of sun and dry topsoil before watering.",
                                          score: 0.71, firstScore: 0.4, attempts: 2)
            try await MongoResultStore(database: harness.database).apply([Decision(stored)])

            let reader = try await harness.reader(.llmRequests, .validatedResponses)
            let cache = Self.cacheStage(harness)
            try await harness.start(cache)
            let first = Samples.question(questionID)
            try await harness.publish(first)
            let fromStorage = try await reader.first(ValidatedResponse.self, trace: first.traceID)
            #expect(fromStorage.source == .storage && fromStorage.status == .accepted && fromStorage.accepted)
            #expect(fromStorage.messageID == "v-" + first.traceID)
            #expect(fromStorage.llmAnswer == stored.llmAnswer && fromStorage.score == stored.score)
            #expect(fromStorage.questionID == questionID && fromStorage.createdAt == first.createdAt)
            #expect(fromStorage.attempts == 0 && fromStorage.llmCalls == 0)

            // Asked again: the cache learnt it from the storage lookup.
            let second = Samples.question(questionID)
            try await harness.publish(second)
            let fromCache = try await reader.first(ValidatedResponse.self, trace: second.traceID)
            #expect(fromCache.source == .cache && fromCache.status == .accepted)
            #expect(fromCache.messageID == "v-" + second.traceID)
            #expect(fromCache.llmAnswer == stored.llmAnswer && fromCache.score == stored.score)
            #expect(try reader.messages(LLMRequest.self).isEmpty)
            let stats = await cache.stats
            #expect(stats.hits == 1 && stats.misses == 1)
        }
    }

    @Test func scoredDecisionFillsTheCacheAndAFailedOneIsRememberedBriefly() async throws {
        try await ServiceHarness.run("cache-learn") { harness in
            let reader = try await harness.reader(.llmRequests, .validatedResponses)
            // The cache's time is the test's: the failure is remembered until the test moves it on.
            let milliseconds = LockedValue<UInt64>(1_000)
            let clock = CacheClock { milliseconds.withLock { $0 } }
            let running = try await harness.start(Self.cacheStage(harness, failureTTLSeconds: 5, clock: clock))
            let answered = Samples.uniqueID("q")
            let failed = Samples.uniqueID("q")
            let decision = Samples.decision(answered, answer: "Plenty of sun, little water.", score: 0.66, attempts: 2)
            try await harness.publish(decision, Samples.decision(failed, source: .failed, status: .failed, answer: "",
                                                                 score: 0, attempts: 1, llmCalls: 0))
            // Both decisions handled (and committed) before the questions are asked.
            try await running.waitUntilConsumed(2)

            let hit = Samples.question(answered)
            let miss = Samples.question(failed)
            try await harness.publish(hit, miss)
            let cached = try await reader.first(ValidatedResponse.self, trace: hit.traceID)
            #expect(cached.source == .cache && cached.llmAnswer == decision.llmAnswer && cached.score == decision.score)
            #expect(cached.messageID == "v-" + hit.traceID && cached.questionID == answered)
            // A failure is remembered for FAILURE_TTL: an asking meanwhile is answered as failed
            // without calling the LLM.
            let remembered = try await reader.first(ValidatedResponse.self, trace: miss.traceID)
            #expect(remembered.status == .failed && remembered.attempts == 0 && remembered.llmCalls == 0)
            #expect(try reader.messages(LLMRequest.self, trace: miss.traceID).isEmpty)
            // A failure is not an answer: once forgotten, its question goes to the LLM again.
            milliseconds.withLock { $0 += 5_000 }
            let again = Samples.question(failed)
            try await harness.publish(again)
            let request = try await reader.first(LLMRequest.self, trace: again.traceID)
            #expect(request.attempts == 1 && request.questionID == failed)
            #expect(try reader.messages(LLMRequest.self, trace: hit.traceID).isEmpty)
        }
    }

    @Test func regenerationRequestBecomesTheNextAttemptOfTheSameTrace() async throws {
        try await ServiceHarness.run("cache-regen") { harness in
            let reader = try await harness.reader(.llmRequests)
            try await harness.start(Self.cacheStage(harness))
            let trace = Samples.uniqueID("trace")
            let created = Timestamp.now().advanced(byMilliseconds: -5_000)
            let regeneration = RegenerationRequest(traceID: trace, questionID: Samples.uniqueID("q"), title: Samples.title,
                                                   content: Samples.content, prompt: Samples.prompt,
                                                   bestAnswer: Samples.bestAnswer, attempts: 2, createdAt: created,
                                                   firstScore: 0.31, previousScore: 0.42)
            try await harness.publish(regeneration)

            let request = try await reader.first(LLMRequest.self, trace: trace)
            #expect(request.attempts == 3 && request.retries == 0)
            #expect(request.questionID == regeneration.questionID && request.prompt == regeneration.prompt)
            #expect(request.bestAnswer == regeneration.bestAnswer && request.createdAt == created)
            #expect(request.firstScore == 0.31)
        }
    }
}

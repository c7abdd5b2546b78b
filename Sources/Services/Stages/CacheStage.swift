import Observability
import Cache
import LLM
import Storage
import Transport
import VeredictoCore
/// The cache service: answers repeated questions from its cache, then from storage, and
/// sends the rest (and every regeneration request) to the LLM.
///
/// Reads `questions_in`, `regeneration_requests` and `validated_responses` (to learn the
/// accepted answers, so that a repeated question hits). Each instance has its own cache;
/// with several instances a question's answer is learnt by the instance that saw its
/// decision, and the others find it in storage.
public actor CacheStage: PipelineStage {
    /// Boxed (`indirect`): the runner copies inputs a few times, and a box is one reference
    /// to retain instead of one per string of the message.
    public indirect enum Input: Sendable {
        case question(QuestionMessage)
        case regeneration(RegenerationRequest)
        /// A decision on `validated_responses`: the answer to learn, or nil when it teaches
        /// nothing (served from the cache or storage, or failed).
        case decided(ValidatedResponse.Answer?)
    }

    struct CachedAnswer: Sendable {
        let llmAnswer: String
        let score: Double
        let status: ValidatedResponse.Status
    }

    public nonisolated let name = "cache"
    public nonisolated let inputTopics: [String]
    nonisolated let topics: PipelineTopics
    private var cache: AnswerCache<CachedAnswer>
    private let storage: (any ResultStore)?

    public init(topics: PipelineTopics, configuration: CacheConfiguration, storage: (any ResultStore)?) {
        self.topics = topics
        self.inputTopics = [topics.name(.questionsIn), topics.name(.regenerationRequests), topics.name(.validatedResponses)]
        self.cache = configuration.makeCache(of: CachedAnswer.self)
        self.storage = storage
    }

    /// Hits, misses, evictions and expirations so far.
    public var stats: CacheStats { cache.stats }

    public static func decode(_ raw: RawMessage) -> Inbound<Input> {
        do {
            if Topic.validatedResponses.isSuffix(of: raw.topic) {
                return .message(.decided(try ValidatedResponse.decodeAnswer(raw.value)))
            }
            if Topic.regenerationRequests.isSuffix(of: raw.topic) {
                return .message(.regeneration(try RegenerationRequest.decode(raw.value)))
            }
            return .message(.question(try QuestionMessage.decode(
                raw.value, fallbackMessageID: "m-" + recordID(raw), fallbackTraceID: "t-" + recordID(raw))))
        } catch {
            return .invalid(InvalidMessage(raw, reason: "\(error)"))
        }
    }

    /// `topic/partition/offset`: the record's place, the same each time it is delivered. A
    /// question published by hand without ids gets `m-` and `t-` + this, so that a redelivery
    /// of it continues the same trace (and the store counts it once) instead of asking again.
    static func recordID(_ raw: RawMessage) -> String {
        "\(raw.topic)/\(raw.partition)/\(raw.offset)"
    }

    public func handle(_ inputs: [Input]) async throws -> [OutboundMessage] {
        var out: [OutboundMessage] = []
        var misses: [QuestionMessage] = []
        for input in inputs {
            switch input {
            case .question(let question):
                if let hit = cache.get(question.questionID) {
                    out.append(Self.response(question, answer: hit.llmAnswer, score: hit.score, status: hit.status, source: .cache)
                        .outbound(topics, key: question.traceID))
                } else {
                    misses.append(question)
                }
            case .regeneration(let request):
                out.append(request.nextAttempt.outbound(topics, key: request.traceID))
            case .decided(let answer):
                // Learn answers decided by the LLM path; failures are not answers.
                if let answer {
                    cache.put(answer.questionID, CachedAnswer(llmAnswer: answer.llmAnswer, score: answer.score,
                                                               status: answer.status))
                }
            }
        }
        guard !misses.isEmpty else { return out }
        let stored = try await storage?.results(for: misses.map(\.questionID)) ?? [:]
        for question in misses {
            if let result = stored[question.questionID], result.decision.status != .failed {
                let answer = CachedAnswer(llmAnswer: result.decision.llmAnswer, score: result.decision.score,
                                          status: result.decision.status)
                cache.put(question.questionID, answer)
                out.append(Self.response(question, answer: answer.llmAnswer, score: answer.score, status: answer.status,
                                         source: .storage)
                    .outbound(topics, key: question.traceID))
            } else {
                let prompt = LLMCompletionRequest.prompt(title: question.title, content: question.content)
                out.append(LLMRequest(question.context(prompt: prompt), attempts: 1)
                    .outbound(topics, key: question.traceID))
            }
        }
        return out
    }

    static func response(_ question: QuestionMessage, answer: String, score: Double, status: ValidatedResponse.Status,
                         source: ValidatedResponse.Source) -> ValidatedResponse {
        var context = question.context(prompt: "")
        context.firstScore = score
        return ValidatedResponse(context, llmAnswer: answer, score: score, status: status, source: source,
                                 attempts: 0, llmCalls: 0)
    }
}

extension CacheStage {
    public nonisolated func declareMetrics(in registry: MetricsRegistry) {
        registry.declare(ServiceMetricNames.cacheHits, .counter, help: "Cache lookups that found a live entry.")
        registry.declare(ServiceMetricNames.cacheMisses, .counter, help: "Cache lookups that found none.")
        registry.declare(ServiceMetricNames.cacheEvictions, .counter, help: "Entries evicted by the policy.")
        registry.declare(ServiceMetricNames.cacheExpirations, .counter, help: "Entries expired by the TTL.")
    }

    public func reportMetrics(to registry: MetricsRegistry) async {
        let stats = self.stats
        registry.setCounter(ServiceMetricNames.cacheHits, to: Double(stats.hits))
        registry.setCounter(ServiceMetricNames.cacheMisses, to: Double(stats.misses))
        registry.setCounter(ServiceMetricNames.cacheEvictions, to: Double(stats.evictions))
        registry.setCounter(ServiceMetricNames.cacheExpirations, to: Double(stats.expirations))
    }
}

import Observability
import Scoring
import Stages
import Storage
import Transport
import VeredictoCore
/// The five services of the pipeline (the generator is separate: it has no input).
public enum PipelineService: String, CaseIterable, Sendable {
    case cache, llm, score, store

    /// Whether the service reads or writes results (the cache looks decisions up, the store
    /// writes them): it needs the result store.
    public var usesStore: Bool { self == .cache || self == .store }

    /// Builds the runners of this service over `transport`: one per stage (the llm service
    /// also runs the llm_errors retry stage), each as the service type of its stage (which runs
    /// a runner specialized for it, see `StageRunner`). Each stage's consumer group is its name behind
    /// the topic prefix (`cache`, or `exp1_cache` with TOPIC_PREFIX=exp1_), so deployments
    /// sharing a broker under different prefixes do not share groups and rebalances.
    public func runners(settings: PipelineSettings, transport: any MessageTransport, store: (any ResultStore)?,
                        model: IDFModel?, llmCounters: LLMCounters = LLMCounters(),
                        onApplied: @escaping @Sendable (ResultLedger.Outcome) -> Void = { _ in },
                        metrics: MetricsRegistry? = nil,
                        onError: @escaping @Sendable (String) -> Void) async throws -> [any RunnableService] {
        let topics = settings.topics
        let deadLetters = topics.name(.deadLetters)
        func runner<Stage: PipelineStage>(_ stage: Stage) async throws -> ServiceRunner<Stage> {
            ServiceRunner(stage: stage,
                          consumer: try await transport.makeConsumer(group: topics.prefix + stage.name,
                                                                     topics: stage.inputTopics),
                          producer: try await transport.makeProducer(), batchSize: settings.batchSize,
                          deadLetterTopic: deadLetters, maxMessageBytes: settings.maxMessageBytes, metrics: metrics,
                          pauseAfterPoll: settings.pauseAfterPoll, onError: onError)
        }
        switch self {
        case .cache:
            let inputs = [topics.name(.questionsIn), topics.name(.regenerationRequests), topics.name(.validatedResponses)]
            try await transport.checkCoPartitioned(inputs, for: "cache")
            let questionPartitions = try await transport.partitionCounts(of: [inputs[0]])[inputs[0]]
            return [CacheRunner(try await runner(CacheStage(topics: topics, configuration: settings.cache, storage: store,
                                                            questionPartitions: questionPartitions, warn: onError)))]
        case .llm:
            let backend = settings.llm.makeBackend()
            return [
                LLMRunner(try await runner(LLMStage(topics: topics, backend: backend, retry: settings.llm.retry,
                                                    concurrency: settings.llm.maxConcurrency, counters: llmCounters,
                                                    prices: settings.llm.prices))),
                LLMRetryRunner(try await runner(LLMRetryStage(topics: topics, maxRetries: settings.llmErrorRetries))),
            ]
        case .score:
            return [ScoreRunner(try await runner(try ScoreStage(topics: topics, threshold: settings.scoreThreshold,
                                                                maxRetries: settings.maxRetries, model: model)))]
        case .store:
            guard let store else { throw ConfigurationError("the store service needs a result store") }
            return [StoreRunner(try await runner(StoreStage(topics: topics, store: store, onApplied: onApplied)))]
        }
    }
}

import Observability
import Transport

// The runners of the pipeline's stages, each as a service of its own type.
//
// A service runs as `any RunnableService`, and a call through the existential reaches the
// runner's generic code: every message then costs metadata look-ups and value-witness copies
// of its `Inbound<Input>`. Each type below conforms in the module that holds both it and its
// stage, so the witness of its `run()` calls a runner of one concrete stage, and the optimizer
// compiles a copy of the runner (its poll, handling, settling and commits) for that stage:
// `nm` of the release binary lists `ServiceRunner.step()` specialized for each of the five,
// and the witness of `CacheRunner.run()` calls the copy for `CacheStage`.

/// A runner of one of the pipeline's stages, seen as a service.
public protocol StageRunner: RunnableService {
    associatedtype Stage: PipelineStage
    var runner: ServiceRunner<Stage> { get }
}

extension StageRunner {
    public var serviceName: String { runner.serviceName }
    public func currentCounters() async -> ServiceCounters { await runner.currentCounters() }
    public func declareMetrics(in registry: MetricsRegistry) { runner.declareMetrics(in: registry) }
    public func reportMetrics(to registry: MetricsRegistry) async { await runner.reportMetrics(to: registry) }
    public func run() async throws { try await runner.run() }
}

public struct CacheRunner: StageRunner {
    public let runner: ServiceRunner<CacheStage>
    public init(_ runner: ServiceRunner<CacheStage>) { self.runner = runner }
}

public struct LLMRunner: StageRunner {
    public let runner: ServiceRunner<LLMStage>
    public init(_ runner: ServiceRunner<LLMStage>) { self.runner = runner }
}

public struct LLMRetryRunner: StageRunner {
    public let runner: ServiceRunner<LLMRetryStage>
    public init(_ runner: ServiceRunner<LLMRetryStage>) { self.runner = runner }
}

public struct ScoreRunner: StageRunner {
    public let runner: ServiceRunner<ScoreStage>
    public init(_ runner: ServiceRunner<ScoreStage>) { self.runner = runner }
}

public struct StoreRunner: StageRunner {
    public let runner: ServiceRunner<StoreStage>
    public init(_ runner: ServiceRunner<StoreStage>) { self.runner = runner }
}

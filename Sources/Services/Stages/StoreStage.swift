import Observability
import Storage
import Transport
import VeredictoCore
/// The store service: persists validated responses in bulk, idempotently (see
/// `ResultLedger` and docs/delivery.md).
public struct StoreStage: PipelineStage {
    public let name = "store"
    public let inputTopics: [String]
    let store: any ResultStore
    let onApplied: @Sendable (ResultLedger.Outcome) -> Void

    public init(topics: PipelineTopics, store: any ResultStore,
                onApplied: @escaping @Sendable (ResultLedger.Outcome) -> Void = { _ in }) {
        self.inputTopics = [topics.name(.validatedResponses)]
        self.store = store
        self.onApplied = onApplied
    }

    public static func decode(_ raw: RawMessage) -> Inbound<ValidatedResponse> {
        do { return .message(try ValidatedResponse.decode(raw.value)) } catch {
            return .invalid(InvalidMessage(raw, reason: "\(error)"))
        }
    }

    /// A response MongoDB rejects goes to `dead_letters` as the runner read it.
    public static func payload(of input: ValidatedResponse) -> [UInt8] { input.jsonBytes }

    public func handle(_ inputs: [ValidatedResponse]) async throws -> [OutboundMessage] {
        let outcome = try await store.apply(inputs.map(Decision.init))
        onApplied(outcome)
        return []
    }
}

extension Decision {
    /// The decision a validated response records.
    public init(_ response: ValidatedResponse) {
        self.init(messageID: response.messageID, traceID: response.traceID, questionID: response.questionID,
                  title: response.title, content: response.content, bestAnswer: response.bestAnswer,
                  llmAnswer: response.llmAnswer, score: response.score, firstScore: response.firstScore ?? response.score,
                  attempts: response.attempts, status: response.status, source: response.source,
                  createdAt: response.createdAt.millisecondsSinceEpoch,
                  decidedAt: response.decidedAt.millisecondsSinceEpoch, llmCalls: response.llmCalls)
        usage = response.usage
        createdAtMicroseconds = response.createdAt.microsecondsSinceEpoch
    }
}

extension StoreStage {
    /// The store's figures arrive with each applied batch (`onApplied`, see `StoreMetrics`).
    public func declareMetrics(in registry: MetricsRegistry) {
        StoreMetrics.declare(in: registry)
    }
}

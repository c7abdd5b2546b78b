import Observability
import Scoring
import Transport
import VeredictoCore
/// The stream job: scores each LLM answer against the human best answer, accepts it when
/// the score reaches the threshold or the attempts reach MAX_RETRIES (a forced accept),
/// and asks for a regeneration otherwise. Duplicate and stale attempts are dropped
/// (`TraceLedger`), so a trace never loops.
public actor ScoreStage: PipelineStage {
    public nonisolated let name = "score"
    public nonisolated let inputTopics: [String]
    nonisolated let topics: PipelineTopics
    public let threshold: Double
    public let maxRetries: Int
    private let scorer: TFIDFScorer
    private var ledger: TraceLedger
    private var batch = ScoringBatch()
    private var scores: [Double] = []
    public private(set) var accepted = 0
    public private(set) var forced = 0
    public private(set) var regenerated = 0
    public private(set) var dropped = 0

    public init(topics: PipelineTopics, threshold: Double, maxRetries: Int, model: IDFModel?,
                ledgerCapacity: Int = 1_000_000) throws {
        self.topics = topics
        self.inputTopics = [topics.name(.llmResponses)]
        self.threshold = threshold
        self.maxRetries = maxRetries
        self.scorer = try TFIDFScorer(model: model)
        self.ledger = TraceLedger(capacity: ledgerCapacity)
    }

    public static func decode(_ raw: RawMessage) -> Inbound<LLMResponse> {
        do { return .message(try LLMResponse.decode(raw.value)) } catch {
            return .invalid(InvalidMessage(raw, reason: "\(error)"))
        }
    }

    public func handle(_ inputs: [LLMResponse]) async throws -> [OutboundMessage] {
        // Score what the ledger admits; the batch is scored in one call, so the verdicts are
        // checked again below in batch order, against the ledger as this batch changes it.
        var admitted: [LLMResponse] = []
        for response in inputs {
            guard ledger.verdict(trace: response.traceID, attempt: response.attempts) == .score else {
                dropped += 1
                continue
            }
            admitted.append(response)
        }
        batch.removeAll()
        for response in admitted { batch.append(reference: response.bestAnswer, answer: response.llmAnswer) }
        scorer.score(batch, into: &scores)
        var out: [OutboundMessage] = []
        out.reserveCapacity(admitted.count)
        for (index, response) in admitted.enumerated() {
            // An earlier message of this batch may have decided the trace, scored a later
            // attempt, or been a duplicate of this response.
            guard ledger.verdict(trace: response.traceID, attempt: response.attempts) == .score else {
                dropped += 1
                continue
            }
            // Within the documented domain (finite, 0 to 1) whatever rounding did.
            let score = scores[index].isFinite ? min(1, max(0, scores[index])) : 0
            let firstScore = ledger.recordScore(trace: response.traceID, attempt: response.attempts, score: score,
                                                carried: response.firstScore)
            if score >= threshold || response.attempts >= maxRetries {
                let status: ValidatedResponse.Status = score >= threshold ? .accepted : .forced
                if status == .accepted { accepted += 1 } else { forced += 1 }
                ledger.decide(trace: response.traceID)
                var context = response.context
                context.firstScore = firstScore
                out.append(ValidatedResponse(context, llmAnswer: response.llmAnswer, score: score, status: status,
                                             source: .score, attempts: response.attempts, llmCalls: response.attempts)
                    .outbound(topics, key: response.questionID))
            } else {
                regenerated += 1
                out.append(RegenerationRequest(after: response, score: score, firstScore: firstScore)
                    .outbound(topics, key: response.questionID))
            }
        }
        return out
    }
}

extension ScoreStage {
    public nonisolated func declareMetrics(in registry: MetricsRegistry) {
        registry.declare(ServiceMetricNames.scoreDecisions, .counter,
                         help: "Score decisions: accepted, forced (accepted at the retry cap), regenerated, dropped (duplicate or stale).")
    }

    public func reportMetrics(to registry: MetricsRegistry) async {
        let decisions: [(String, Int)] = [
            ("accepted", accepted), ("forced", forced), ("regenerated", regenerated), ("dropped", dropped),
        ]
        for (decision, count) in decisions {
            registry.setCounter(ServiceMetricNames.scoreDecisions, labels: ["decision": decision], to: Double(count))
        }
    }
}

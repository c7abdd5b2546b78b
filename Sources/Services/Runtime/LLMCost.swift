import LLM
import Stages
import Storage
import VeredictoCore

/// What a run's LLM calls cost: the calls made (failed ones included) beside the minimum the
/// decided chains needed, their tokens (reported by the server, or estimated from text for the
/// offline model, marked so) and their price, per asking, per distinct question and per
/// accepted answer.
public struct LLMCost: Sendable, Equatable {
    /// Calls of the backend, failed ones and in-place retries included.
    public var callsMade: Int
    /// Calls the decided chains needed: each chain's attempts (the metrics' `llm_calls`).
    public var minimumCalls: Int
    public var promptTokens: Int
    public var completionTokens: Int
    /// Whether the tokens are estimated from text rather than counted by the server.
    public var tokensEstimated: Bool
    public var cost: Double
    public var asked: Int
    public var questions: Int
    public var accepted: Int

    public init(counters: LLMCounters.State, prices: LLMPrices, metrics: PipelineMetrics) {
        callsMade = counters.calls
        minimumCalls = metrics.llmCalls
        promptTokens = counters.promptTokens
        completionTokens = counters.completionTokens
        tokensEstimated = counters.tokensEstimated
        cost = counters.cost(at: prices)
        asked = metrics.asked
        questions = metrics.questions
        accepted = metrics.accepted
    }

    /// Calls made over the minimum (1 when no call was wasted), 0 without calls.
    public var callsOverMinimum: Double { minimumCalls > 0 ? Double(callsMade) / Double(minimumCalls) : 0 }
    public var callsPerAsking: Double { asked > 0 ? Double(callsMade) / Double(asked) : 0 }
    public var callsPerQuestion: Double { questions > 0 ? Double(callsMade) / Double(questions) : 0 }
    public var costPerQuestion: Double { questions > 0 ? cost / Double(questions) : 0 }
    public var costPerAcceptedAnswer: Double { accepted > 0 ? cost / Double(accepted) : 0 }
}

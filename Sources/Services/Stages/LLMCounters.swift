import LLM
import VeredictoCore
/// Calls and errors of the LLM service, by class (for logs and metrics).
public final class LLMCounters: Sendable {
    private let state = LockedValue(State())

    public struct State: Sendable {
        public var calls = 0
        public var successes = 0
        public var retriedErrors: [LLMErrorKind: Int] = [:]
        public var finalErrors: [LLMErrorKind: Int] = [:]
        /// Tokens of the successful calls (failed calls report none).
        public var promptTokens = 0
        public var completionTokens = 0
        /// Successful calls whose tokens were estimated from text (`LLMUsage.estimated`).
        public var estimatedCalls = 0

        /// Whether any token count is an estimate.
        public var tokensEstimated: Bool { estimatedCalls > 0 }

        /// The price of the tokens counted.
        public func cost(at prices: LLMPrices) -> Double {
            LLMUsage(promptTokens: promptTokens, completionTokens: completionTokens, estimated: tokensEstimated)
                .cost(at: prices)
        }
    }

    public init() {}

    public var snapshot: State { state.withLock { $0 } }

    func recordCall() { state.withLock { $0.calls += 1 } }
    func recordSuccess(_ usage: LLMUsage) {
        state.withLock { state in
            state.successes += 1
            state.promptTokens &+= usage.promptTokens
            state.completionTokens &+= usage.completionTokens
            if usage.estimated { state.estimatedCalls += 1 }
        }
    }
    func record(_ error: LLMError, retried: Bool) {
        state.withLock { state in
            if retried { state.retriedErrors[error.kind, default: 0] += 1 } else { state.finalErrors[error.kind, default: 0] += 1 }
        }
    }
}

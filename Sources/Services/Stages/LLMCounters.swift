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
    }

    public init() {}

    public var snapshot: State { state.withLock { $0 } }

    func recordCall() { state.withLock { $0.calls += 1 } }
    func recordSuccess() { state.withLock { $0.successes += 1 } }
    func record(_ error: LLMError, retried: Bool) {
        state.withLock { state in
            if retried { state.retriedErrors[error.kind, default: 0] += 1 } else { state.finalErrors[error.kind, default: 0] += 1 }
        }
    }
}

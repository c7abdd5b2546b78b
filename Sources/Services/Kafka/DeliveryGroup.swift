import VeredictoCore
/// A group of sends whose delivery a caller waits for together: typically everything one consumed
/// batch produced, so that the batch's offsets are committed only once the broker has all of it.
///
/// Pass the group to `KafkaProducer.send(..., group:)` for each message, then `wait(timeout:)`.
/// The wait returns once every message sent so far with the group is acknowledged, and throws as
/// soon as one delivery fails (the others may still be delivered: at-least-once, never lost
/// silently). A group can be reused for more sends after a wait.
public final class DeliveryGroup: Sendable {
    private struct State {
        var pending = 0
        var acknowledged = 0
        var failed = 0
        var firstFailure: KafkaError?
        var waiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        /// Waiters between taking an id and registering, with whether they were cancelled meanwhile.
        var registering: [UInt64: Bool] = [:]
        var nextWaiter: UInt64 = 0
        /// Called once when the group next settles.
        var observers: [@Sendable () -> Void] = []

        var settled: Bool { pending == 0 || firstFailure != nil }
    }

    private let state = LockedValue(State())

    public init() {}

    /// Messages the broker has acknowledged.
    public var acknowledgedCount: Int { state.withLock { $0.acknowledged } }
    /// Messages sent with the group and not yet reported.
    public var pendingCount: Int { state.withLock { $0.pending } }
    /// Messages whose delivery failed.
    public var failedCount: Int { state.withLock { $0.failed } }
    /// The first delivery failure, if any.
    public var firstFailure: KafkaError? { state.withLock { $0.firstFailure } }
    /// Whether `wait` would return at once: every message reported, or one failed.
    public var isSettled: Bool { state.withLock { $0.settled } }

    /// Waits until every message sent with the group is acknowledged. Throws the first delivery
    /// failure, `.timedOut` after `timeout`, or `CancellationError`.
    public func wait(timeout: Duration) async throws {
        if let done = try settledResult() { return done }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await self.waitUntilSettled() }
            tasks.addTask {
                try await Task.sleep(for: timeout)
                let (pending, acknowledged) = self.state.withLock { ($0.pending, $0.acknowledged) }
                throw KafkaError(.timedOut, "\(pending) deliveries still pending after \(timeout) (\(acknowledged) acknowledged)")
            }
            defer { tasks.cancelAll() }
            try await tasks.next()
        }
    }

    /// Calls `body` once, when every message sent so far is reported (or one failed): at once
    /// if that is already so, else on the thread that serves the last report. Unlike `wait`,
    /// it takes no task: a consumer loop uses it to be woken instead of waiting.
    public func whenSettled(_ body: @escaping @Sendable () -> Void) {
        let now = state.withLock { state in
            if state.settled { return true }
            state.observers.append(body)
            return false
        }
        if now { body() }
    }

    // MARK: - Called by the producer and its delivery-report callback

    func enter() {
        state.withLock { $0.pending += 1 }
    }

    /// The message never reached the queue (`send` threw): forget it.
    func leaveUnsent() {
        settle { $0.pending -= 1 }
    }

    func acknowledge() {
        settle {
            $0.pending -= 1
            $0.acknowledged += 1
        }
    }

    func fail(_ error: KafkaError) {
        settle {
            $0.pending -= 1
            $0.failed += 1
            if $0.firstFailure == nil { $0.firstFailure = error }
        }
    }

    // MARK: - Waiting

    /// nil while unsettled; otherwise returns or throws the outcome.
    private func settledResult() throws -> Void? {
        let (settled, failure) = state.withLock { ($0.settled, $0.firstFailure) }
        if let failure { throw failure }
        return settled ? () : nil
    }

    private func settle(_ change: (inout State) -> Void) {
        let (waiters, observers, failure) = state.withLock { state in
            change(&state)
            guard state.settled else { return ([CheckedContinuation<Void, any Error>](), [@Sendable () -> Void](), KafkaError?.none) }
            defer {
                state.waiters.removeAll()
                state.observers.removeAll()
            }
            return (Array(state.waiters.values), state.observers, state.firstFailure)
        }
        for waiter in waiters {
            if let failure { waiter.resume(throwing: failure) } else { waiter.resume() }
        }
        for observer in observers { observer() }
    }

    private func waitUntilSettled() async throws {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            state.registering[state.nextWaiter] = false
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if state.registering.removeValue(forKey: id) == true { return .failure(CancellationError()) }
                    if let failure = state.firstFailure { return .failure(failure) }
                    if state.pending == 0 { return .success(()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                if state.registering[id] != nil { state.registering[id] = true }
                return state.waiters.removeValue(forKey: id)
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

import VeredictoCore

/// How a `ServiceRunner` stops: cancelling its task requests the stop, and the work that must
/// not be cut short (the batch in hand, the last acknowledgements and commit) runs in tasks
/// the request does not cancel, unless it outlasts `grace`. Past the grace period that work is
/// cancelled: whatever it had not committed goes to the next member of the group.
package final class RunnerStop: Sendable {
    private struct State {
        var requested = false
        var expired = false
        var cancelWork: [Int: @Sendable () -> Void] = [:]
        var nextWork = 0
        var timer: Task<Void, Never>?
    }
    private let state = LockedValue(State())
    package let grace: Duration

    package init(grace: Duration) {
        self.grace = grace
    }

    /// Whether a stop was requested (or the calling task is cancelled).
    package var isRequested: Bool {
        Task.isCancelled || state.withLock { $0.requested }
    }

    /// Requests the stop and starts the grace period. Any thread may call it.
    package func request() {
        let grace = self.grace
        state.withLock { state in
            guard !state.requested else { return }
            state.requested = true
            state.timer = Task { [weak self] in
                try? await Task.sleep(for: grace)
                if !Task.isCancelled { self?.expire() }
            }
        }
    }

    /// Ends the grace period at once.
    package func expire() {
        let cancels = state.withLock { state in
            state.expired = true
            return Array(state.cancelWork.values)
        }
        for cancel in cancels { cancel() }
    }

    /// Stops the grace timer (the runner finished within it).
    package func finish() {
        state.withLock { $0.timer }?.cancel()
    }

    /// Runs `body` in a task of its own that a stop request does not cancel; it is cancelled
    /// only once the grace period is over.
    @discardableResult
    package func shielded<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let work = ServiceCPUExecutor.task { try await body() }
        let (id, expired) = state.withLock { state in
            defer { state.nextWork += 1 }
            state.cancelWork[state.nextWork] = { work.cancel() }
            return (state.nextWork, state.expired)
        }
        if expired { work.cancel() }
        defer { _ = state.withLock { $0.cancelWork.removeValue(forKey: id) } }
        return try await work.value
    }
}

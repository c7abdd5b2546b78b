/// An asynchronous counting semaphore: at most `limit` holders at a time, later callers wait in
/// line (first come, first served) without blocking a thread.
public actor ConcurrencyLimiter {
    public nonisolated let limit: Int
    private var holders = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var firstWaiter = 0
    private var nextID: UInt64 = 0

    public init(limit: Int) {
        precondition(limit >= 1, "a concurrency limit must be at least 1")
        self.limit = limit
    }

    /// Waits for a slot. Throws `CancellationError` (holding nothing) if the task is cancelled
    /// while it waits.
    public func acquire() async throws {
        if holders < limit {
            holders += 1
            return
        }
        try Task.checkCancellation()
        nextID &+= 1
        let id = nextID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Gives a slot back: the longest waiter, if any, gets it.
    public func release() {
        if firstWaiter < waiters.count {
            let waiter = waiters[firstWaiter]
            firstWaiter += 1
            compactWaiters()
            waiter.continuation.resume()
        } else {
            precondition(holders > 0, "release() without acquire()")
            holders -= 1
        }
    }

    /// Runs `body` holding a slot.
    public func withSlot<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result {
        try await acquire()
        do {
            let result = try await body()
            release()
            return result
        } catch {
            release()
            throw error
        }
    }

    /// Holders now (for tests and metrics).
    public var inUse: Int { holders }

    /// Callers waiting now.
    public var waiting: Int { waiters.count - firstWaiter }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters[firstWaiter...].firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: CancellationError())
    }

    private func compactWaiters() {
        if firstWaiter == waiters.count {
            waiters.removeAll(keepingCapacity: true)
            firstWaiter = 0
        } else if firstWaiter > 64 && firstWaiter * 2 > waiters.count {
            waiters.removeFirst(firstWaiter)
            firstWaiter = 0
        }
    }
}

import Dispatch

/// A serial queue for librdkafka calls that block (flush, consumer poll, commit, admin requests), so
/// that they run on a thread of their own and never hold one of the few threads of Swift's
/// cooperative pool. Being serial, it also keeps one client's blocking calls in order.
final class BlockingCallQueue: Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` on the queue and returns its result to the awaiting task.
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Swift.Result { try body() })
            }
        }
    }
}

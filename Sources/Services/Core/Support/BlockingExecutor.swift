import Dispatch
import Foundation

/// Threads of its own for C calls that block (librdkafka's poll, flush and commit,
/// libmongoc's network round trips), so that they never hold a thread of Swift's cooperative
/// pool. Jobs start in submission order, each on whichever thread is free: with one thread,
/// a client's blocking calls also stay in order.
///
/// `shutdown()` lets the queued jobs finish and waits for the threads; an executor released
/// without it stops taking jobs and lets its threads finish the queue and exit on their own.
public final class BlockingExecutor: Sendable {
    /// Why `run` did not run its body.
    public struct Closed: Error, CustomStringConvertible {
        public let name: String
        public var description: String { "\(name): shut down, the call was not made" }
    }

    private let jobs: JobQueue
    private let name: String

    public init(name: String, threadCount: Int = 1) {
        precondition(threadCount > 0, "a blocking executor needs at least one thread")
        self.name = name
        jobs = JobQueue(name: name, threadCount: threadCount)
    }

    deinit {
        jobs.stopAccepting()
    }

    /// Queues `job`; false (and `job` is dropped unrun) once shutdown has begun.
    public func submit(_ job: sending @escaping () -> Void) -> Bool {
        jobs.submit(job)
    }

    /// Runs `body` on one of the executor's threads and returns its result to the awaiting task.
    public func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        let name = self.name
        return try await withCheckedThrowingContinuation { continuation in
            let submitted = jobs.submit {
                continuation.resume(with: Swift.Result { try body() })
            }
            if !submitted { continuation.resume(throwing: Closed(name: name)) }
        }
    }

    /// Stops taking jobs, lets the threads finish the queued ones, and waits for them to exit.
    /// Idempotent; must not be called from one of the executor's own threads.
    public func shutdown() {
        jobs.shutdown()
    }
}

/// The queue and threads behind a `BlockingExecutor`. The threads hold this, not the
/// executor, so releasing the executor is what stops them.
///
/// `@unchecked Sendable`: every mutable property is read and written only while `condition`
/// is locked.
private final class JobQueue: @unchecked Sendable {
    /// A job closure. It is `sending` into `submit` and run exactly once on one thread, so it
    /// is never shared, whatever it captures.
    private struct Job: @unchecked Sendable {
        let run: () -> Void
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var head = 0
    private var accepting = true
    private var threads: [Thread] = []
    private let finished = DispatchGroup()

    init(name: String, threadCount: Int) {
        for index in 0..<threadCount {
            finished.enter()
            let thread = Thread { [self] in
                work()
                finished.leave()
            }
            thread.name = threadCount == 1 ? name : "\(name)-\(index)"
            threads.append(thread)
        }
        for thread in threads { thread.start() }
    }

    func submit(_ job: sending @escaping () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard accepting else { return false }
        queue.append(Job(run: job))
        condition.signal()
        return true
    }

    func stopAccepting() {
        condition.lock()
        accepting = false
        condition.broadcast()
        condition.unlock()
    }

    func shutdown() {
        stopAccepting()
        condition.lock()
        let ownThread = threads.contains { $0 === Thread.current }
        condition.unlock()
        precondition(!ownThread, "BlockingExecutor.shutdown() called from its own thread")
        finished.wait()
    }

    private func work() {
        while let job = nextJob() {
            job.run()
        }
        condition.lock()
        threads.removeAll { $0 === Thread.current }  // each Thread holds a closure that holds the queue
        condition.unlock()
    }

    /// The next job, waiting for one; nil once the queue is closed and empty.
    private func nextJob() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while head == queue.count {
            guard accepting else { return nil }
            condition.wait()
        }
        let job = queue[head]
        head += 1
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return job
    }
}

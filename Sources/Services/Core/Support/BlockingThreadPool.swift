import Dispatch
import Foundation

/// A fixed set of threads that run blocking C calls (libmongoc's network round trips), so
/// that they never hold a thread of Swift's cooperative pool. Jobs start in submission
/// order, each on whichever thread is free.
///
/// The threads keep the pool alive until `shutdown()`, which its owner must call.
///
/// `@unchecked Sendable`: every mutable property is read and written only while `condition`
/// is locked.
package final class BlockingThreadPool: @unchecked Sendable {
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

    package init(name: String, threadCount: Int) {
        precondition(threadCount > 0, "a thread pool needs at least one thread")
        for index in 0..<threadCount {
            finished.enter()
            let thread = Thread { [self] in
                work()
                finished.leave()
            }
            thread.name = "\(name)-\(index)"
            threads.append(thread)
        }
        for thread in threads { thread.start() }
    }

    /// Queues `job`; false (and `job` is dropped unrun) once `shutdown()` has begun.
    package func submit(_ job: sending @escaping () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard accepting else { return false }
        queue.append(Job(run: job))
        condition.signal()
        return true
    }

    /// Stops taking jobs, lets the threads finish the queued ones, and waits for them to
    /// exit. Idempotent; must not be called from one of the pool's own threads.
    package func shutdown() {
        condition.lock()
        accepting = false
        condition.broadcast()
        let ownThread = threads.contains { $0 === Thread.current }
        condition.unlock()
        precondition(!ownThread, "BlockingThreadPool.shutdown() called from its own thread")
        finished.wait()
        condition.lock()
        threads.removeAll()  // each Thread holds a closure that holds the pool
        condition.unlock()
    }

    private func work() {
        while let job = nextJob() {
            job.run()
        }
    }

    /// The next job, waiting for one; nil once the pool is shut down and the queue is empty.
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

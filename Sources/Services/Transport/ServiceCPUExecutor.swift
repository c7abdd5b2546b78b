import Dispatch
import Foundation
import VeredictoCore

/// A task executor that runs one service's jobs and counts the CPU time they take, so that a
/// run of several services in one process can say what each of them cost.
///
/// The services of an embedded run share one thread pool, so neither the process's CPU clock
/// nor a thread's can tell them apart. A task started with this executor as its preference
/// (`Task(executorPreference:)`, or `ServiceCPUExecutor.task` from inside one) runs its jobs
/// here, and so do its child tasks and the default actors it calls (the in-memory bus, a
/// stage's state): each job runs on a thread of the global dispatch pool between two readings
/// of that thread's CPU clock, and their difference goes to this service. What runs on threads
/// of its own (librdkafka's, libmongoc's) or outside any service's task (the run's own loop) is
/// not counted here; the run reports it as the rest of the process.
///
/// One job costs two thread-clock readings (a system call each on Linux, about 0.3 µs here)
/// and a dispatch block; an embedded run has about 1.2 jobs per asking (docs/benchmarks.md,
/// "CPU by stage").
package final class ServiceCPUExecutor: TaskExecutor, Sendable {
    /// The service's name as reports print it.
    package let name: String
    private let queue = DispatchQueue.global()
    /// CPU nanoseconds and jobs run so far.
    private let totals = LockedValue((nanoseconds: UInt64(0), jobs: UInt64(0)))

    /// The executor of the service whose task is running, if it was started on one; tasks
    /// a service starts without structure take it from here (`task`).
    @TaskLocal package static var current: ServiceCPUExecutor?

    package init(name: String) {
        self.name = name
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { [self] in
            let before = Self.threadCPUNanoseconds()
            job.runSynchronously(on: asUnownedTaskExecutor())
            let spent = Self.threadCPUNanoseconds() &- before
            totals.withLock { $0.nanoseconds &+= spent; $0.jobs &+= 1 }
        }
    }

    /// CPU seconds its jobs have taken so far, and how many jobs ran.
    package var snapshot: (seconds: Double, jobs: UInt64) {
        let totals = totals.withLock { $0 }
        return (Double(totals.nanoseconds) / 1e9, totals.jobs)
    }

    /// Starts an unstructured task on the executor of the calling service's task (none: the
    /// default one), so that work a service hands to a task of its own is still counted to it.
    @discardableResult
    package static func task<Success: Sendable>(_ body: @escaping @Sendable () async throws -> Success)
        -> Task<Success, any Error> {
        Task(executorPreference: current) { try await body() }
    }

    /// Starts `body` on `executor` with `current` set to it for everything it starts.
    package static func start<Success: Sendable>(on executor: ServiceCPUExecutor,
                                                 _ body: @escaping @Sendable () async throws -> Success)
        -> Task<Success, any Error> {
        Task(executorPreference: executor) {
            try await $current.withValue(executor) { try await body() }
        }
    }

    /// Starts each runner on an executor of its stage (the instances of a stage share one);
    /// returns the tasks, and the executors in the order their stages first appear.
    package static func start(_ runners: [any RunnableService])
        -> (tasks: [Task<Void, any Error>], executors: [ServiceCPUExecutor]) {
        var executors: [ServiceCPUExecutor] = []
        let tasks = runners.map { runner in
            let executor = executors.first { $0.name == runner.serviceName } ?? {
                let made = ServiceCPUExecutor(name: runner.serviceName)
                executors.append(made)
                return made
            }()
            return start(on: executor) { try await runner.run() }
        }
        return (tasks, executors)
    }

    private static func threadCPUNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}

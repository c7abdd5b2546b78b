import Foundation
import VeredictoCore

/// A thread of its own that polls a producer, so that delivery reports (and errors, statistics)
/// are served as they arrive without taking a thread of Swift's cooperative pool.
///
/// The thread keeps the client alive until it stops; before stopping it serves every event left
/// (e.g. the failure reports of messages purged at close).
final class DeliveryReportPoller: Sendable {
    private let stopRequested = LockedValue(false)
    private let joined = LockedValue(false)
    private let finished = DispatchSemaphore(value: 0)

    init(client: RDKafkaClient) {
        let thread = Thread { [stopRequested, finished] in
            while !stopRequested.withLock({ $0 }) {
                client.poll(milliseconds: 100)
            }
            while client.poll(milliseconds: 0) > 0 {}
            finished.signal()
        }
        thread.name = "kafka-poll-\(client.name)"
        thread.start()
    }

    /// Asks the thread to stop; it does within about 100 ms.
    func requestStop() {
        stopRequested.withLock { $0 = true }
    }

    /// Stops the thread and waits until it has served the last reports. Blocks: call it off the
    /// cooperative pool.
    func stopAndWait() {
        requestStop()
        let wait = joined.withLock { joined in
            defer { joined = true }
            return !joined
        }
        if wait {
            finished.wait()
        }
    }
}

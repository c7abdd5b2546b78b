import VeredictoCore
/// What a producer has done since it was created.
public struct KafkaProducerCounters: Sendable, Equatable, CustomStringConvertible {
    /// Messages accepted into the local queue by `send`.
    public var sent: Int = 0
    /// Messages the broker acknowledged.
    public var delivered: Int = 0
    /// Messages whose delivery failed (or that were purged at close).
    public var failed: Int = 0
    /// Key and value bytes of the messages sent.
    public var bytesSent: Int = 0
    /// Key and value bytes of the messages delivered.
    public var bytesDelivered: Int = 0

    /// Sent but not yet reported delivered or failed.
    public var inFlight: Int { sent - delivered - failed }

    public var description: String {
        "sent \(sent) (\(bytesSent) B), delivered \(delivered) (\(bytesDelivered) B), failed \(failed)"
    }
}

/// The producer's counters, updated by `send` and by the delivery-report callback.
final class ProducerTally: Sendable {
    private let counters = LockedValue(KafkaProducerCounters())

    func recordSent(bytes: Int) {
        counters.withLock {
            $0.sent += 1
            $0.bytesSent += bytes
        }
    }

    func recordReport(delivered: Bool, bytes: Int) {
        counters.withLock {
            if delivered {
                $0.delivered += 1
                $0.bytesDelivered += bytes
            } else {
                $0.failed += 1
            }
        }
    }

    var snapshot: KafkaProducerCounters {
        counters.withLock { $0 }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VeredictoCore

/// How long messages took to cross each topic: from the producer's `produce` call (the
/// record's CreateTime timestamp) to the `poll` that handed them to the next stage. Includes
/// the producer's linger, the broker's write, the consumer's fetch and its queue, so it shows
/// what one hop of the pipeline costs on a given broker. Producer and consumer clocks must
/// agree (one host, or synchronised clocks).
public final class HopLatencies: Sendable {
    private let byTopic = LockedValue([String: LatencyRecorder]())

    public init() {}

    /// Milliseconds since the epoch, the unit of Kafka timestamps.
    public static func nowMilliseconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) * 1000 + Double(now.tv_nsec) / 1_000_000
    }

    public func record(topic: String, milliseconds values: [Double]) {
        guard !values.isEmpty else { return }
        let recorder = byTopic.withLock { recorders in
            if let recorder = recorders[topic] { return recorder }
            let recorder = LatencyRecorder()
            recorders[topic] = recorder
            return recorder
        }
        recorder.record(milliseconds: values)
    }

    /// Forgets what was recorded so far (a run's warm-up).
    public func reset() {
        byTopic.withLock { $0.removeAll() }
    }

    /// Each topic's distribution, by topic name.
    public var summaries: [(topic: String, summary: LatencyRecorder.Summary)] {
        byTopic.withLock { $0 }.sorted { $0.key < $1.key }.map { (topic: $0.key, summary: $0.value.summary) }
    }
}

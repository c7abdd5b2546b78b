import Foundation
import VeredictoCore

/// Adds up what librdkafka's statistics JSON says about the record batches a producer sent to
/// one topic: each emission's `topics.<name>.batchsize` window (sizes as sent, after
/// compression) and the cumulative `tx_bytes` (everything written to the brokers).
///
/// The batch-size window restarts at every emission, so summing over all emissions counts each
/// batch once, provided one more emission follows the last batch (see `emissions`).
package final class ProducerBatchStatistics: Sendable {
    package struct Totals: Sendable {
        package var emissions = 0
        package var batches = 0
        package var batchBytes = 0
        package var wireBytes = 0
    }

    let topic: String
    private let totals = LockedValue(Totals())

    package init(topic: String) {
        self.topic = topic
    }

    package var snapshot: Totals { totals.withLock { $0 } }

    /// Takes one statistics emission (called on the producer's polling thread).
    package func record(json: String) {
        guard let root = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return }
        let topicStatistics = (root["topics"] as? [String: Any])?[topic] as? [String: Any]
        let batchSizes = topicStatistics?["batchsize"] as? [String: Any]
        let batchSum = (batchSizes?["sum"] as? NSNumber)?.intValue ?? 0
        let batchCount = (batchSizes?["cnt"] as? NSNumber)?.intValue ?? 0
        let wireBytes = (root["tx_bytes"] as? NSNumber)?.intValue
        totals.withLock { totals in
            totals.emissions += 1
            totals.batches += batchCount
            totals.batchBytes += batchSum
            if let wireBytes { totals.wireBytes = wireBytes }
        }
    }
}

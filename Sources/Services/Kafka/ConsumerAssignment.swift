import VeredictoCore
/// The partitions the group currently gives one consumer, each with the epoch of the assignment
/// that gave it.
///
/// A batch remembers the epoch of each of its partitions when it is polled; if that partition has
/// since been revoked (even if it came back later, by then another member may have read and
/// committed past it), committing the batch's offset could move the group's position backwards
/// or skip the new owner's work, so `KafkaConsumer.commit` refuses it.
final class ConsumerAssignment: Sendable {
    private struct State {
        var owned: [KafkaTopicPartition: UInt64] = [:]
        var nextEpoch: UInt64 = 1
        var firstAssignment: ContinuousClock.Instant?
        var joined = false
        var pausedTopics: Set<String> = []
    }

    private let state = LockedValue(State())

    func assign(_ partitions: [KafkaTopicPartition]) {
        state.withLock { state in
            for partition in partitions {
                state.owned[partition] = state.nextEpoch
            }
            state.nextEpoch += 1
            state.joined = true
            if !partitions.isEmpty, state.firstAssignment == nil {
                state.firstAssignment = .now
            }
        }
    }

    func revoke(_ partitions: [KafkaTopicPartition]) {
        state.withLock { state in
            for partition in partitions {
                state.owned[partition] = nil
            }
        }
    }

    func revokeAll() {
        state.withLock { $0.owned.removeAll() }
    }

    /// Every assigned partition with its epoch.
    var epochs: [KafkaTopicPartition: UInt64] {
        state.withLock { $0.owned }
    }

    /// The current epoch of each partition, nil where the partition is not assigned.
    func epochs(of partitions: [KafkaTopicPartition]) -> [UInt64?] {
        state.withLock { state in partitions.map { state.owned[$0] } }
    }

    var partitions: [KafkaTopicPartition] {
        state.withLock { $0.owned.keys.sorted() }
    }

    /// Whether the group has given this consumer an assignment (possibly empty: a member beyond
    /// the partition count) at least once.
    var joined: Bool {
        state.withLock { $0.joined }
    }

    /// Topics whose partitions are paused, those assigned later included (`KafkaConsumer.pause`).
    var pausedTopics: Set<String> {
        get { state.withLock { $0.pausedTopics } }
        set { state.withLock { $0.pausedTopics = newValue } }
    }

    /// When the first non-empty assignment arrived (the end of the first group join).
    var firstAssignment: ContinuousClock.Instant? {
        state.withLock { $0.firstAssignment }
    }
}

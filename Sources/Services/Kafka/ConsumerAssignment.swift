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
        /// Revoked by the rebalance under way: those the next assignment does not give back moved away.
        var revokedPending: Set<KafkaTopicPartition> = []
        /// Given to another member since `takeMovedAway()` was last called.
        var movedAway: Set<KafkaTopicPartition> = []
    }

    private let state = LockedValue(State())

    func assign(_ partitions: [KafkaTopicPartition]) {
        state.withLock { state in
            for partition in partitions {
                state.owned[partition] = state.nextEpoch
            }
            let given = Set(partitions)
            state.movedAway.formUnion(state.revokedPending.subtracting(given))
            state.movedAway.subtract(given)
            state.revokedPending = []
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
            state.revokedPending.formUnion(partitions)
        }
    }

    func revokeAll() {
        state.withLock { state in
            state.revokedPending.formUnion(state.owned.keys)
            state.owned.removeAll()
        }
    }

    /// The partitions a rebalance took from this consumer and gave to another member (revoked
    /// and not given back by the assignment that followed) since the last call.
    func takeMovedAway() -> [KafkaTopicPartition] {
        state.withLock { state in
            defer { state.movedAway = [] }
            return state.movedAway.sorted()
        }
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

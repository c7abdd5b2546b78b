import Testing

@testable import Kafka

/// Which partitions a rebalance moved to another member: revoked and not given back by the
/// assignment that follows, under the eager protocol (all revoked, then the new set assigned)
/// and the cooperative one (only the moving ones revoked).
@Suite struct ConsumerAssignmentTests {
    static func places(_ topic: String, _ partitions: [Int32]) -> [KafkaTopicPartition] {
        partitions.map { KafkaTopicPartition(topic: topic, partition: $0) }
    }

    @Test func eagerRebalanceMovesAwayOnlyWhatIsNotGivenBack() {
        let assignment = ConsumerAssignment()
        assignment.assign(Self.places("q", [0, 1, 2, 3]))
        #expect(assignment.takeMovedAway().isEmpty)
        assignment.revoke(Self.places("q", [0, 1, 2, 3]))
        // Nothing has moved until the new assignment says what came back.
        #expect(assignment.takeMovedAway().isEmpty)
        assignment.assign(Self.places("q", [0, 1]))
        #expect(assignment.takeMovedAway() == Self.places("q", [2, 3]))
        #expect(assignment.takeMovedAway().isEmpty)
        // All given back: nothing moved.
        assignment.revoke(Self.places("q", [0, 1]))
        assignment.assign(Self.places("q", [0, 1, 2]))
        #expect(assignment.takeMovedAway().isEmpty)
    }

    @Test func cooperativeRevocationMovesAwayAtTheNextAssignment() {
        let assignment = ConsumerAssignment()
        assignment.assign(Self.places("q", [0, 1]) + Self.places("r", [0, 1]))
        assignment.revoke(Self.places("r", [1]))
        assignment.assign([])
        #expect(assignment.takeMovedAway() == Self.places("r", [1]))
        // A partition moved away and later given back is not reported once it is back.
        assignment.revoke(Self.places("q", [0]))
        assignment.assign([])
        assignment.assign(Self.places("q", [0]))
        #expect(assignment.takeMovedAway().isEmpty)
    }
}

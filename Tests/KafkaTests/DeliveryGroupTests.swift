import Testing

@testable import Kafka
@testable import VeredictoCore

@Suite("DeliveryGroup (no broker)")
struct DeliveryGroupTests {
    @Test func emptyGroupIsSettled() async throws {
        try await DeliveryGroup().wait(timeout: .milliseconds(10))
    }

    @Test func waitsForEveryAcknowledgement() async throws {
        let group = DeliveryGroup()
        for _ in 0..<3 { group.enter() }
        let waiter = Task { try await group.wait(timeout: .seconds(10)) }
        group.acknowledge()
        group.acknowledge()
        try await Task.sleep(for: .milliseconds(20))
        #expect(group.pendingCount == 1)
        group.acknowledge()
        try await waiter.value
        #expect(group.acknowledgedCount == 3)
    }

    @Test func firstFailureEndsTheWait() async throws {
        let group = DeliveryGroup()
        for _ in 0..<3 { group.enter() }
        let waiter = Task { try await group.wait(timeout: .seconds(10)) }
        group.acknowledge()
        group.fail(KafkaError(.deliveryFailed, "broker refused"))
        let error = await #expect(throws: KafkaError.self) { try await waiter.value }
        #expect(error?.code == .deliveryFailed)
        #expect(group.pendingCount == 1)
    }

    @Test func timesOut() async throws {
        let group = DeliveryGroup()
        group.enter()
        let error = await #expect(throws: KafkaError.self) { try await group.wait(timeout: .milliseconds(50)) }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("1 deliveries still pending") == true)
    }

    @Test func cancellationEndsTheWait() async throws {
        let group = DeliveryGroup()
        group.enter()
        let waiter = Task { try await group.wait(timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }
}

@Suite("DeliveryGroup.whenSettled (no broker)")
struct DeliveryGroupObserverTests {
    @Test func observerRunsOnceWhenTheLastMessageIsAcknowledged() {
        let group = DeliveryGroup()
        for _ in 0..<2 { group.enter() }
        let calls = LockedCount()
        group.whenSettled { calls.add() }
        group.acknowledge()
        #expect(calls.value == 0)
        group.acknowledge()
        #expect(calls.value == 1)
        // A later settling of the reused group does not call it again.
        group.enter()
        group.acknowledge()
        #expect(calls.value == 1)
    }

    @Test func observerOfASettledGroupRunsAtOnce() {
        let group = DeliveryGroup()
        let calls = LockedCount()
        group.whenSettled { calls.add() }
        #expect(calls.value == 1)
    }

    @Test func aFailureSettlesTheGroupForItsObservers() {
        let group = DeliveryGroup()
        for _ in 0..<2 { group.enter() }
        let calls = LockedCount()
        group.whenSettled { calls.add() }
        group.fail(KafkaError(.deliveryFailed, "broker refused"))
        #expect(calls.value == 1)
    }
}

final class LockedCount: Sendable {
    private let count = LockedValue(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

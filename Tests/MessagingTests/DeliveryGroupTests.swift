import Testing

@testable import Services

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

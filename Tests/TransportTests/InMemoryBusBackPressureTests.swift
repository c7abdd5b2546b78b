import Testing

@testable import Transport
@testable import VeredictoCore

@Suite(.timeLimit(.minutes(5))) struct InMemoryBusBackPressureTests {
    @Test func aPollReturnsToCommitWhileAProducerWaitsForRoom() async throws {
        let bus = InMemoryBus(partitions: 1, capacity: 10)
        let consumer = try await bus.makeConsumer(group: "g", topics: ["t"])
        let producer = try await bus.makeProducer()
        try await producer.send(InMemoryBusTests.messages(10))
        #expect(try await consumer.poll(maxMessages: 100, timeout: .milliseconds(10)) { _ in 1 }.count == 10)
        let sending = Task { try await producer.send(InMemoryBusTests.messages(5)) }
        while await bus.waitingProducers == 0 { await Task.yield() }
        // Nothing to read, and a producer waits for this member's commit: the poll does not
        // wait out its timeout.
        #expect(try await consumer.poll(maxMessages: 100, timeout: .seconds(3600)) { _ in 1 }.isEmpty)
        try await consumer.commit()
        try await sending.value
        #expect(try await consumer.poll(maxMessages: 100, timeout: .seconds(3600)) { _ in 1 }.count == 5)
    }

    @Test func aMemberWithNothingUncommittedStillWaitsForMessages() async throws {
        let bus = InMemoryBus(partitions: 1, capacity: 10)
        let slow = try await bus.makeConsumer(group: "slow", topics: ["t"])
        let fast = try await bus.makeConsumer(group: "fast", topics: ["t"])
        let producer = try await bus.makeProducer()
        try await producer.send(InMemoryBusTests.messages(10))
        #expect(try await fast.poll(maxMessages: 100, timeout: .milliseconds(10)) { _ in 1 }.count == 10)
        try await fast.commit()
        let sending = Task { try await producer.send(InMemoryBusTests.messages(5)) }
        while await bus.waitingProducers == 0 { await Task.yield() }
        // The room waits for the other group: `fast` has nothing to commit and keeps waiting,
        // here until the other group's commit lets the producer through.
        let polling = Task { try await fast.poll(maxMessages: 100, timeout: .seconds(3600)) { _ in 1 }.count }
        #expect(try await slow.poll(maxMessages: 100, timeout: .milliseconds(10)) { _ in 1 }.count == 10)
        try await slow.commit()
        try await sending.value
        #expect(try await polling.value == 5)
    }
}

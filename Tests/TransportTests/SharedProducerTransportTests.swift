import Testing

@testable import Transport
@testable import VeredictoCore

@Suite struct SharedProducerTransportTests {
    /// Counts what the shared transport asks of the transport underneath.
    final class CountingTransport: MessageTransport {
        let bus = InMemoryBus(partitions: 2, capacity: 1000)
        let made = LockedValue(0)
        let closed = LockedValue(0)

        func makeConsumer(group: String, topics: [String]) async throws -> any MessageConsumer {
            try await bus.makeConsumer(group: group, topics: topics)
        }

        func makeProducer() async throws -> any MessageProducer {
            made.withLock { $0 += 1 }
            return CountingProducer(base: try await bus.makeProducer(), closed: closed)
        }
    }

    final class CountingProducer: MessageProducer {
        let base: any MessageProducer
        let closed: LockedValue<Int>
        init(base: any MessageProducer, closed: LockedValue<Int>) {
            self.base = base
            self.closed = closed
        }
        func enqueue(_ messages: [OutboundMessage]) async throws -> DeliveryReceipt { try await base.enqueue(messages) }
        func close() async { closed.withLock { $0 += 1 } }
    }

    @Test func everyStageSendsThroughOneProducerThatOnlyTheOwnerCloses() async throws {
        let base = CountingTransport()
        let shared = SharedProducerTransport(base)
        let consumer = try await shared.makeConsumer(group: "g", topics: ["t"])
        let first = try await shared.makeProducer()
        let second = try await shared.makeProducer()
        try await first.send([OutboundMessage(topic: "t", key: "a", value: Array("from first".utf8))])
        await first.close()
        // A stage closing its loan leaves the producer working for the others.
        try await second.send([OutboundMessage(topic: "t", key: "b", value: Array("from second".utf8))])
        #expect(base.made.withLock { $0 } == 1)
        #expect(base.closed.withLock { $0 } == 0)

        let received = try await InMemoryBusTests.drain(consumer, expecting: 2)
        #expect(Set(received.map(\.value)) == ["from first", "from second"])

        await shared.close()
        #expect(base.closed.withLock { $0 } == 1)
        await shared.close()
        #expect(base.closed.withLock { $0 } == 1, "closing twice closes the producer once")
    }
}

@Suite struct TopicTallyTests {
    @Test func countsRunsAndScatteredTopicsAlike() {
        var tally = TopicTally()
        #expect(tally.counts.isEmpty)
        for topic in ["a", "a", "b", "a", "c", "c", "c", "b"] { tally.count(topic) }
        #expect(tally.counts == ["a": 3, "b": 2, "c": 3])
        tally.count("c")
        #expect(tally.counts == ["a": 3, "b": 2, "c": 4])
    }
}

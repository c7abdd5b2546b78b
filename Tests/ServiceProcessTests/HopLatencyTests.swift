import Foundation
import Logging
@testable import Kafka
@testable import Observability
@testable import Transport
@testable import VeredictoCore
import Testing
import TestSupport

/// The hop latencies a Kafka consumer reports: every message once, under its own topic, and
/// never more than the time between its send and the poll that returned it.
@Suite("Hop latencies over Kafka (broker)", .timeLimit(.minutes(3)))
struct HopLatencyTests {
    @Test func eachPolledMessageReportsItsTopicAndATimeWithinItsSendAndPoll() async throws {
        let servers = try TestServers.addresses()
        let id = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let topics = ["hops_a_\(id)", "hops_b_\(id)"]
        let hops = HopLatencies()
        let reported = LockedValue([String: [Double]]())
        var transport = KafkaTransport(bootstrapServers: [servers.kafka])
        transport.sessionTimeout = .seconds(6)
        var logger = Logger(label: "veredicto.kafka.test")
        logger.logLevel = .notice
        transport.logger = logger
        transport.onHops = { topic, values in
            reported.withLock { $0[topic, default: []] += values }
            hops.record(topic: topic, milliseconds: values)
        }
        try await transport.createTopics(topics, partitions: 2)
        let consumer = try await transport.makeConsumer(group: "hops_\(id)", topics: topics)
        let producer = try await transport.makeProducer()

        let beforeSend = HopLatencies.nowMilliseconds()
        let messages = (0..<30).map { OutboundMessage(topic: topics[$0 % 3 == 0 ? 1 : 0], key: "k\($0)", value: Array("m\($0)".utf8)) }
        try await producer.send(messages)
        var received = 0
        let deadline = ContinuousClock.now + .seconds(90)
        while received < messages.count, ContinuousClock.now < deadline {
            received += try await consumer.poll(maxMessages: 100, timeout: .milliseconds(200)) { _ in 1 }.count
        }
        let afterPoll = HopLatencies.nowMilliseconds()
        await producer.close()
        await consumer.close()

        #expect(received == messages.count)
        let byTopic = reported.withLock { $0 }
        #expect(byTopic[topics[0]]?.count == 20)
        #expect(byTopic[topics[1]]?.count == 10)
        // Timestamps have millisecond resolution: allow one either side.
        let longest = afterPoll - beforeSend + 1
        for values in byTopic.values {
            #expect(values.allSatisfy { $0 >= 0 && $0 <= longest }, "hop latencies \(values) outside 0...\(longest) ms")
        }
        #expect(hops.summaries.map(\.topic) == topics.sorted())
        #expect(hops.summaries.map(\.summary.count) == (topics[0] < topics[1] ? [20, 10] : [10, 20]))
    }
}

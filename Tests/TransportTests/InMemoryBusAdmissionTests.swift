import Testing

import Stages
@testable import Transport

/// A stage on a cycle: it reads `in` and its own output `again`, sends each message around
/// `laps` times, then to `done` — as the cache, llm and score stages send a regenerated
/// question around.
struct LoopStage: PipelineStage {
    let name = "loop"
    let inputTopics = ["in", "again"]
    let laps: Int

    static func decode(_ raw: RawMessage) -> Inbound<(key: String, lap: Int)> {
        let text = String(decoding: raw.value, as: UTF8.self)
        guard let lap = Int(text) else { return .invalid(InvalidMessage(raw, reason: "not a lap number")) }
        return .message((String(decoding: raw.key, as: UTF8.self), lap))
    }

    func handle(_ inputs: [(key: String, lap: Int)]) async throws -> [OutboundMessage] {
        inputs.map { input in
            OutboundMessage(topic: input.lap + 1 < laps ? "again" : "done", key: input.key, value: Array("\(input.lap + 1)".utf8))
        }
    }
}

/// The limit is far above the second these take alone: with the whole suite running on two
/// cores, the tasks here wait their turn behind the integration tests' work, and a minute was
/// seen to run out. A deadlock, which is what the limit is there to catch, never ends.
@Suite(.timeLimit(.minutes(3))) struct InMemoryBusAdmissionTests {
    /// With every partition bounded, this stage would wait for room on `again` that only its
    /// own commit can make, and never finish; bounding admission only, it does.
    @Test func aCycleOfStagesFinishesWhenOnlyAdmissionIsBounded() async throws {
        let bus = InMemoryBus(partitions: 1, capacity: 8, admissionTopics: ["in"])
        let runner = ServiceRunner(stage: LoopStage(laps: 4), consumer: try await bus.makeConsumer(group: "loop", topics: ["in", "again"]),
                                   producer: try await bus.makeProducer(), batchSize: 5, pollTimeout: .milliseconds(5),
                                   deadLetterTopic: "dead")
        let done = try await bus.makeConsumer(group: "sink", topics: ["done"])
        let running = Task { try await runner.run() }
        // Eight times the bus's bound: without admission alone bounding it, the cycle would
        // fill `again` and wait forever for room that only its own commit makes.
        let questions = 64
        let sending = Task {
            let producer = try await bus.makeProducer()
            for index in 0..<questions {
                try await producer.send([OutboundMessage(topic: "in", key: "q\(index)", value: Array("0".utf8))])
            }
        }
        var finished: [String: Int] = [:]
        while finished.count < questions {
            let batch = try await done.poll(maxMessages: 100, timeout: .milliseconds(20)) { raw in
                (String(decoding: raw.key, as: UTF8.self), String(decoding: raw.value, as: UTF8.self))
            }
            for (key, lap) in batch { finished[key, default: 0] += Int(lap) == 4 ? 1 : 100 }
            try await done.commit()
            // Admission keeps the bus near its bound: each question in progress holds one message.
            #expect(await bus.uncommitted <= 8 + 5 + 100)
        }
        try await sending.value
        running.cancel()
        try? await running.value
        #expect(finished.count == questions)
        #expect(finished.values.allSatisfy { $0 == 1 }, "every question once, after four laps")
    }

    @Test func onlySendsToAdmissionTopicsWaitForRoom() async throws {
        let bus = InMemoryBus(partitions: 1, capacity: 3, admissionTopics: ["in"])
        let reader = try await bus.makeConsumer(group: "g", topics: ["in", "inner"])
        let producer = try await bus.makeProducer()
        // An inner topic takes any number of messages at once.
        try await producer.send((0..<50).map { OutboundMessage(topic: "inner", key: "k\($0)", value: [1]) })
        #expect(await bus.uncommitted == 50)
        // A new question waits while the bus is over its bound...
        let admitting = Task { try await producer.send([OutboundMessage(topic: "in", key: "q", value: [2])]) }
        #expect(await RunnerAcknowledgementTests.until { await bus.waitingProducers == 1 })
        #expect(await bus.uncommitted == 50)
        // ...and goes in once the backlog is committed.
        _ = try await reader.poll(maxMessages: 100, timeout: .milliseconds(20)) { _ in 0 }
        try await reader.commit()
        try await admitting.value
        #expect(await bus.waitingProducers == 0)
        #expect(await bus.uncommitted == 1)
    }
}

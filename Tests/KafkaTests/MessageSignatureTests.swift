import Foundation
import Testing
import TestSupport

import Kafka
import Transport

/// PIPELINE_SIGNING_KEY: records carry an HMAC-SHA256 of topic, key and value; a consumer with
/// the key refuses records without it or with a wrong one.
@Suite("Message signatures", .timeLimit(.minutes(3)))
struct MessageSignatureTests {
    static let key = Array("0123456789abcdef0123456789abcdef".utf8)

    @Test func aSignatureCoversTopicKeyAndValue() {
        let signer = MessageSigner(key: Self.key)
        func sign(_ topic: String, _ key: String?, _ value: String) -> [UInt8] {
            let value = Array(value.utf8)
            return value.withUnsafeBytes { value in
                guard let key else { return signer.signature(topic: topic, key: nil, value: value) }
                return Array(key.utf8).withUnsafeBytes { signer.signature(topic: topic, key: $0, value: value) }
            }
        }
        func verify(_ signature: [UInt8], _ topic: String, _ key: String, _ value: String) -> Bool {
            signature.withUnsafeBytes { signature in
                Array(key.utf8).withUnsafeBytes { keyBytes in
                    Array(value.utf8).withUnsafeBytes { signer.verify(signature, topic: topic, key: keyBytes, value: $0) }
                }
            }
        }
        let signature = sign("questions_in", "q1", "{\"a\":1}")
        #expect(signature.count == 32)
        #expect(verify(signature, "questions_in", "q1", "{\"a\":1}"))
        #expect(!verify(signature, "validated_responses", "q1", "{\"a\":1}"))
        #expect(!verify(signature, "questions_in", "q2", "{\"a\":1}"))
        #expect(!verify(signature, "questions_in", "q1", "{\"a\":2}"))
        // The parts are length-prefixed: moving bytes from the key into the value changes it.
        #expect(!verify(signature, "questions_in", "q", "1{\"a\":1}"))
        #expect(!verify(Array(signature.dropLast()), "questions_in", "q1", "{\"a\":1}"))
        #expect(sign("t", nil, "v") == sign("t", "", "v"))
        let other = MessageSigner(key: Array("another key of 32 bytes, exactly".utf8))
        #expect(!signature.withUnsafeBytes { signature in
            Array("q1".utf8).withUnsafeBytes { key in
                Array("{\"a\":1}".utf8).withUnsafeBytes { other.verify(signature, topic: "questions_in", key: key, value: $0) }
            }
        })
    }

    @Test func unsignedAndMisSignedRecordsAreRefusedOverTheBroker() async throws {
        let topic = TestBroker.uniqueName("signed")
        try await TestBroker.admin().createTopic(topic, partitions: 1)
        var signed = KafkaTransport(bootstrapServers: try TestBroker.bootstrapServers())
        signed.sessionTimeout = .seconds(6)
        signed.signer = MessageSigner(key: Self.key)
        var forger = signed
        forger.signer = MessageSigner(key: Array("not the pipeline's key, 32 bytes".utf8))

        for (transport, text) in [(signed, "signed"), (forger, "forged")] {
            let producer = try await transport.makeProducer()
            try await producer.enqueue([OutboundMessage(topic: topic, key: "q1", value: Array(text.utf8))]).wait()
            await producer.close()
        }
        let plain = try TestBroker.producer()
        let group = DeliveryGroup()
        try plain.send(topic: topic, key: "q1", value: Array("unsigned".utf8), group: group)
        try await group.wait(timeout: .seconds(60))
        try await plain.close()

        let consumer = try await signed.makeConsumer(group: TestBroker.uniqueName("signed-group"), topics: [topic])
        var seen: [String: String] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while seen.count < 3, ContinuousClock.now < deadline {
            let batch = try await consumer.poll(maxMessages: 10, timeout: .milliseconds(250)) { raw in
                (String(decoding: raw.value, as: UTF8.self), raw.rejection ?? "accepted")
            }
            for (text, verdict) in batch { seen[text] = verdict }
        }
        await consumer.close()
        #expect(seen["signed"] == "accepted")
        #expect(seen["unsigned"] == "unauthenticated: no veredicto-hmac-sha256 header")
        #expect(seen["forged"] == "unauthenticated: the veredicto-hmac-sha256 signature does not match")
    }

    /// Signed records of one batch sent to two topics, interleaved: each is produced by its own
    /// topic's handle and verifies on the topic it arrives on (the signature covers the topic,
    /// so a record sent by another topic's handle would be refused).
    @Test func signedRecordsOfOneBatchVerifyOnEachOfTheirTopics() async throws {
        let topics = [TestBroker.uniqueName("signed-a"), TestBroker.uniqueName("signed-b")]
        let admin = try TestBroker.admin()
        for topic in topics { try await admin.createTopic(topic, partitions: 1) }
        var signed = KafkaTransport(bootstrapServers: try TestBroker.bootstrapServers())
        signed.sessionTimeout = .seconds(6)
        signed.signer = MessageSigner(key: Self.key)
        let messages = (0..<40).map { index in
            OutboundMessage(topic: topics[index % 2], key: "q\(index)", value: Array("\(topics[index % 2])/\(index)".utf8))
        }
        let producer = try await signed.makeProducer()
        try await producer.enqueue(messages).wait()
        await producer.close()

        let consumer = try await signed.makeConsumer(group: TestBroker.uniqueName("signed-group"), topics: topics)
        var seen: [String: String] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while seen.count < messages.count, ContinuousClock.now < deadline {
            let batch = try await consumer.poll(maxMessages: 100, timeout: .milliseconds(250)) { raw in
                (raw.topic + "/" + String(decoding: raw.value, as: UTF8.self), raw.rejection ?? "accepted")
            }
            for (text, verdict) in batch { seen[text] = verdict }
        }
        await consumer.close()
        // Each value names its topic: "<topic>/<topic>/<index>" when it arrived where it was sent.
        let expected = Dictionary(uniqueKeysWithValues: messages.map {
            ($0.topic + "/" + String(decoding: $0.value, as: UTF8.self), "accepted")
        })
        #expect(seen == expected)
    }
}

import Foundation
import Kafka
import Testing
import TestSupport
import Transport
import VeredictoCore

/// With PIPELINE_SIGNING_KEY a service refuses what is not signed with that key (a dead letter,
/// "unauthenticated") and signs what it publishes.
@Suite(.timeLimit(.minutes(4))) struct SignedPipelineTests {
    static let key = "a pipeline key of 32 bytes, fine"

    @Test func theCacheServiceRefusesUnsignedAndForgedQuestionsAndSignsItsOutput() async throws {
        let deployment = try await EndToEndTests.deploy("signed", extra: ["PIPELINE_SIGNING_KEY": Self.key,
                                                                          "METRICS_PORT": "0"])
        let cache = try ServiceProcess(name: "cache", arguments: ["serve", "cache"], environment: deployment.environment,
                                       logDirectory: deployment.directory)
        defer { _ = cache.isRunning ? kill(cache.process.processIdentifier, SIGKILL) : 0 }
        let prefix = deployment.environment["TOPIC_PREFIX"]!
        var signed = KafkaTransport(bootstrapServers: [try TestServers.kafka()])
        signed.sessionTimeout = .seconds(6)
        signed.signer = MessageSigner(key: Array(Self.key.utf8))
        var forger = signed
        forger.signer = MessageSigner(key: Array("somebody else's key of 32 bytes!".utf8))
        var unsigned = signed
        unsigned.signer = nil

        let questions = (signed: Samples.question(Samples.uniqueID("q")), forged: Samples.question(Samples.uniqueID("q")),
                         unsigned: Samples.question(Samples.uniqueID("q")))
        for (transport, question) in [(signed, questions.signed), (forger, questions.forged), (unsigned, questions.unsigned)] {
            let producer = try await transport.makeProducer()
            try await producer.enqueue([OutboundMessage(topic: prefix + "questions_in", key: question.traceID,
                                                        value: question.jsonBytes)]).wait()
            await producer.close()
        }

        // Read the outputs with the key: a record the service published unsigned would show here
        // as refused.
        let reader = try await signed.makeConsumer(group: prefix + "reader",
                                                   topics: [prefix + "llm_requests", prefix + "dead_letters"])
        var records: [(topic: String, text: String, rejection: String?)] = []
        let deadline = ContinuousClock.now + .seconds(90)
        while records.count < 3, ContinuousClock.now < deadline, cache.isRunning {
            records += try await reader.poll(maxMessages: 100, timeout: .milliseconds(250)) { raw in
                (raw.topic, String(decoding: raw.value, as: UTF8.self), raw.rejection)
            }
        }
        await reader.close()
        #expect(records.count == 3, "\(records) \(cache.output.suffix(2000))")
        #expect(records.allSatisfy { $0.rejection == nil }, "the service published a record not signed with the key")
        let requests = records.filter { $0.topic == prefix + "llm_requests" }
        #expect(requests.count == 1 && requests[0].text.contains(questions.signed.traceID))
        let letters = records.filter { $0.topic == prefix + "dead_letters" }
        #expect(letters.count == 2)
        #expect(letters.contains { $0.text.contains(questions.forged.traceID) && $0.text.contains("signature does not match") })
        #expect(letters.contains { $0.text.contains(questions.unsigned.traceID) && $0.text.contains("no veredicto-hmac-sha256 header") })
        #expect(!cache.output.contains(Self.key), "the key was logged")
        #expect(await cache.stop() == 0)
    }
}

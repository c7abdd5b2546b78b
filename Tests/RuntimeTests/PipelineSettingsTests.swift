import Testing

@testable import Runtime
@testable import VeredictoCore

@Suite struct PipelineSettingsTests {
    @Test func kafkaSettingsReachTheTransport() throws {
        let settings = try PipelineSettings(environment: [
            "KAFKA_BOOTSTRAP_SERVERS": "a:1, b:2", "KAFKA_LINGER_MS": "7", "KAFKA_SESSION_TIMEOUT_MS": "6000",
            "KAFKA_CONFIG": "security.protocol=SASL_SSL,sasl.mechanism=PLAIN",
        ])
        let transport = settings.kafka
        #expect(transport.bootstrapServers == ["a:1", "b:2"])
        #expect(transport.linger == .milliseconds(7))
        #expect(transport.sessionTimeout == .milliseconds(6000))
        #expect(transport.extra == ["security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN"])
    }

    @Test func lingerDefaultsToOneMillisecond() throws {
        #expect(try PipelineSettings(environment: [:]).kafka.linger == .milliseconds(1))
    }

    @Test func aBadLingerNamesTheVariable() {
        let error = #expect(throws: ConfigurationError.self) { try PipelineSettings(environment: ["KAFKA_LINGER_MS": "soon"]) }
        #expect(error?.description.contains("KAFKA_LINGER_MS") == true)
        #expect(throws: ConfigurationError.self) { try PipelineSettings(environment: ["KAFKA_LINGER_MS": "-1"]) }
    }
}

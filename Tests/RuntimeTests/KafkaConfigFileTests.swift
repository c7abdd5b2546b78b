import Foundation
import Testing

@testable import Runtime
@testable import VeredictoCore

/// KAFKA_CONFIG_FILE: librdkafka properties one a line, so values may hold commas.
@Suite struct KafkaConfigFileTests {
    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("veredicto-kafka-\(UUID()).properties").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func valuesMayHoldCommasAndEqualsSigns() throws {
        let path = try Self.write("""
            # SASL over TLS
            security.protocol = SASL_SSL
            sasl.mechanisms=OAUTHBEARER
            sasl.oauthbearer.config=principal=svc,scope=a,b
            ssl.cipher.suites=ECDHE-RSA-AES128-GCM-SHA256,ECDHE-RSA-AES256-GCM-SHA384

            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let settings = try PipelineSettings(environment: ["KAFKA_CONFIG_FILE": path, "KAFKA_CONFIG": "sasl.mechanisms=PLAIN"])
        #expect(settings.kafkaProperties == [
            "security.protocol": "SASL_SSL",
            "sasl.mechanisms": "PLAIN",  // KAFKA_CONFIG wins
            "sasl.oauthbearer.config": "principal=svc,scope=a,b",
            "ssl.cipher.suites": "ECDHE-RSA-AES128-GCM-SHA256,ECDHE-RSA-AES256-GCM-SHA384",
        ])
        #expect(settings.kafka.extra["sasl.oauthbearer.config"] == "principal=svc,scope=a,b")
    }

    @Test func aBadLineIsNamedByNumberWithoutItsText() throws {
        let path = try Self.write("security.protocol=SASL_SSL\nsasl.password hunter2\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ConfigurationError.self) {
            try PipelineSettings(environment: ["KAFKA_CONFIG_FILE": path])
        }
        #expect(error?.description.contains("\(path) line 2") == true)
        #expect(error?.description.contains("hunter2") == false)
        #expect(throws: ConfigurationError.self) {
            try PipelineSettings(environment: ["KAFKA_CONFIG_FILE": "/nonexistent/kafka.properties"])
        }
    }
}

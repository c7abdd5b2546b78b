import Testing

import Kafka
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

    @Test func oneMaximumMessageSizeGovernsRunnersAndTransport() throws {
        let defaults = try PipelineSettings(environment: [:])
        #expect(defaults.maxMessageBytes == 1_000_000 && defaults.kafka.maxMessageBytes == 1_000_000)
        let settings = try PipelineSettings(environment: ["MAX_MESSAGE_BYTES": "4000000"])
        #expect(settings.maxMessageBytes == 4_000_000 && settings.kafka.maxMessageBytes == 4_000_000)
        #expect(throws: ConfigurationError.self) { try PipelineSettings(environment: ["MAX_MESSAGE_BYTES": "1000"]) }
    }

    @Test func lingerDefaultsToOneMillisecond() throws {
        #expect(try PipelineSettings(environment: [:]).kafka.linger == .milliseconds(1))
    }

    @Test func decisionAndBatchDefaultsAreTheDocumentedOnes() throws {
        let defaults = try PipelineSettings(environment: [:])
        #expect(defaults.scoreThreshold == 0.65)
        #expect(defaults.maxRetries == 3)
        #expect(defaults.llmErrorRetries == 3)
        #expect(defaults.batchSize == 1000)
        // Each is read from its variable when set.
        let set = try PipelineSettings(environment: ["SCORE_THRESHOLD": "0.5", "MAX_RETRIES": "5", "LLM_ERROR_RETRIES": "0",
                                                     "BATCH_SIZE": "64"])
        #expect(set.scoreThreshold == 0.5 && set.maxRetries == 5 && set.llmErrorRetries == 0 && set.batchSize == 64)
    }

    @Test func compressionIsZstdUnlessSetAndABadCodecNamesTheVariable() throws {
        #expect(try PipelineSettings(environment: [:]).kafka.compression == .zstd)
        #expect(try PipelineSettings(environment: ["KAFKA_COMPRESSION": "LZ4"]).kafka.compression == .lz4)
        #expect(try PipelineSettings(environment: ["KAFKA_COMPRESSION": "none"]).kafka.compression == KafkaCompression.none)
        let error = #expect(throws: ConfigurationError.self) {
            try PipelineSettings(environment: ["KAFKA_COMPRESSION": "brotli"])
        }
        #expect(error?.description == "KAFKA_COMPRESSION must be one of none, gzip, snappy, lz4, zstd (got 'brotli')")
    }

    @Test func theCompressionLevelIsCheckedAgainstTheCodec() throws {
        #expect(try PipelineSettings(environment: [:]).kafka.compressionLevel == nil)
        #expect(try PipelineSettings(environment: ["KAFKA_COMPRESSION_LEVEL": " 3 "]).kafka.compressionLevel == 3)
        #expect(try PipelineSettings(environment: ["KAFKA_COMPRESSION": "lz4", "KAFKA_COMPRESSION_LEVEL": "0"])
            .kafka.compressionLevel == 0)
        let cases: [([String: String], String)] = [
            (["KAFKA_COMPRESSION_LEVEL": "0"], "KAFKA_COMPRESSION_LEVEL must be an integer from 1 to 12 for zstd (got '0')"),
            (["KAFKA_COMPRESSION_LEVEL": "fast"], "KAFKA_COMPRESSION_LEVEL must be an integer from 1 to 12 for zstd (got 'fast')"),
            (["KAFKA_COMPRESSION": "gzip", "KAFKA_COMPRESSION_LEVEL": "10"],
             "KAFKA_COMPRESSION_LEVEL must be an integer from 0 to 9 for gzip (got '10')"),
            (["KAFKA_COMPRESSION": "snappy", "KAFKA_COMPRESSION_LEVEL": "1"],
             "KAFKA_COMPRESSION_LEVEL must be unset: snappy has no compression levels (got '1')"),
        ]
        for (environment, message) in cases {
            let error = #expect(throws: ConfigurationError.self) { try PipelineSettings(environment: environment) }
            #expect(error?.description == message)
        }
    }

    @Test func theFaultPauseIsOffUnlessSetAndBounded() throws {
        #expect(try PipelineSettings(environment: [:]).pauseAfterPoll == .zero)
        #expect(try PipelineSettings(environment: ["FAULT_PAUSE_AFTER_POLL_MS": "40"]).pauseAfterPoll == .milliseconds(40))
        let error = #expect(throws: ConfigurationError.self) {
            try PipelineSettings(environment: ["FAULT_PAUSE_AFTER_POLL_MS": "20000"])
        }
        #expect(error?.description.contains("FAULT_PAUSE_AFTER_POLL_MS") == true)
    }

    @Test func aBadLingerNamesTheVariable() {
        let error = #expect(throws: ConfigurationError.self) { try PipelineSettings(environment: ["KAFKA_LINGER_MS": "soon"]) }
        #expect(error?.description.contains("KAFKA_LINGER_MS") == true)
        #expect(throws: ConfigurationError.self) { try PipelineSettings(environment: ["KAFKA_LINGER_MS": "-1"]) }
    }

    @Test func theGapPatienceReachesTheConsumersAndABadOneNamesTheVariable() throws {
        #expect(try PipelineSettings(environment: [:]).kafka.gapPatience == .seconds(30))
        #expect(try PipelineSettings(environment: ["KAFKA_GAP_PATIENCE_MS": "0"]).kafka.gapPatience == .zero)
        #expect(try PipelineSettings(environment: ["KAFKA_GAP_PATIENCE_MS": "2500"]).kafka.gapPatience == .milliseconds(2500))
        for bad in ["-1", "a while", "3600001"] {
            let error = #expect(throws: ConfigurationError.self) {
                try PipelineSettings(environment: ["KAFKA_GAP_PATIENCE_MS": bad])
            }
            #expect(error?.description.contains("KAFKA_GAP_PATIENCE_MS") == true)
        }
    }
}

import Testing

@testable import Kafka

@Suite("Kafka configuration (no broker)")
struct KafkaConfigurationTests {
    let servers = ["127.0.0.1:9092"]

    /// Runs `body`, which must throw `.invalidConfiguration` with a one-line message containing
    /// every fragment.
    func expectInvalid(_ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation,
                       _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an invalid configuration", sourceLocation: sourceLocation)
        } catch let error as KafkaError {
            #expect(error.code == .invalidConfiguration, sourceLocation: sourceLocation)
            #expect(!error.message.contains("\n"), "one line: \(error.message)", sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func producerDefaults() throws {
        let configuration = KafkaProducerConfiguration(bootstrapServers: servers)
        try configuration.validate()
        let properties = try configuration.librdkafkaProperties()
        #expect(properties["bootstrap.servers"] == "127.0.0.1:9092")
        #expect(properties["linger.ms"] == "5")
        #expect(properties["batch.size"] == "1000000")
        #expect(properties["compression.codec"] == "zstd")
        #expect(properties["compression.level"] == "1")
        #expect(properties["enable.idempotence"] == "true")
        #expect(properties["acks"] == "all")
        #expect(properties["queue.buffering.max.messages"] == "100000")
        #expect(properties["queue.buffering.max.kbytes"] == "131072")
    }

    @Test func compressionLevelsFollowTheCodec() throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: servers)
        for (codec, level, expected) in [(KafkaCompression.zstd, 12, "12"), (.lz4, 0, "0"), (.gzip, 9, "9")] {
            configuration.compression = codec
            configuration.compressionLevel = level
            try configuration.validate()
            #expect(try configuration.librdkafkaProperties()["compression.level"] == expected, "\(codec)")
        }
        // Unset: 1 with zstd, nothing (the codec's own default) with the others.
        configuration.compressionLevel = nil
        for codec in KafkaCompression.allCases {
            configuration.compression = codec
            #expect(try configuration.librdkafkaProperties()["compression.level"] == (codec == .zstd ? "1" : nil), "\(codec)")
        }
        for (codec, level) in [(KafkaCompression.zstd, 0), (.zstd, 13), (.gzip, 10), (.lz4, -1)] {
            configuration.compression = codec
            configuration.compressionLevel = level
            expectInvalid("compressionLevel", "between", "got \(level)") { try configuration.validate() }
        }
        for codec in [KafkaCompression.snappy, .none] {
            configuration.compression = codec
            configuration.compressionLevel = 0
            expectInvalid("compressionLevel", "\(codec.rawValue) has no levels") { try configuration.validate() }
        }
        configuration = KafkaProducerConfiguration(bootstrapServers: servers)
        configuration.extra = ["compression.level": "3"]
        expectInvalid("duplicates a typed setting", "compressionLevel") { try configuration.validate() }
    }

    @Test func consumerDefaults() throws {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: ["a:1", "b:2"], groupID: "g", topics: ["t"])
        configuration.sessionTimeout = .seconds(6)
        try configuration.validate()
        let properties = try configuration.librdkafkaProperties()
        #expect(properties["bootstrap.servers"] == "a:1,b:2")
        #expect(properties["group.id"] == "g")
        #expect(properties["session.timeout.ms"] == "6000")
        #expect(properties["heartbeat.interval.ms"] == "2000")
        #expect(properties["enable.auto.commit"] == "false")
        #expect(properties["auto.offset.reset"] == "earliest")
    }

    @Test func badBootstrapServers() {
        expectInvalid("bootstrapServers", "host:port") {
            try KafkaProducerConfiguration(bootstrapServers: []).validate()
        }
        expectInvalid("\"broker\"", "host:port") {
            try KafkaProducerConfiguration(bootstrapServers: ["broker"]).validate()
        }
        expectInvalid("\"broker:99999\"", "1...65535") {
            try KafkaConsumerConfiguration(bootstrapServers: ["broker:99999"], groupID: "g", topics: ["t"]).validate()
        }
        expectInvalid("bootstrapServers") {
            try KafkaAdminConfiguration(bootstrapServers: ["a:1,b:2"]).validate()
        }
    }

    @Test func producerRanges() {
        var configuration = KafkaProducerConfiguration(bootstrapServers: servers)
        configuration.linger = .milliseconds(-1)
        expectInvalid("KafkaProducerConfiguration.linger", "linger.ms", "0 ms") { try configuration.validate() }
        configuration = KafkaProducerConfiguration(bootstrapServers: servers)
        configuration.batchSizeBytes = 0
        expectInvalid("batchSizeBytes", "batch.size", "got 0") { try configuration.validate() }
        configuration = KafkaProducerConfiguration(bootstrapServers: servers)
        configuration.maxQueuedMessages = 0
        expectInvalid("maxQueuedMessages") { try configuration.validate() }
        configuration = KafkaProducerConfiguration(bootstrapServers: servers)
        configuration.clientID = " "
        expectInvalid("clientID") { try configuration.validate() }
    }

    @Test func consumerRanges() {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: servers, groupID: "", topics: ["t"])
        expectInvalid("groupID") { try configuration.validate() }
        configuration = KafkaConsumerConfiguration(bootstrapServers: servers, groupID: "g", topics: [])
        expectInvalid("topics") { try configuration.validate() }
        configuration = KafkaConsumerConfiguration(bootstrapServers: servers, groupID: "g", topics: ["t"])
        configuration.sessionTimeout = .zero
        expectInvalid("sessionTimeout", "session.timeout.ms") { try configuration.validate() }
        configuration = KafkaConsumerConfiguration(bootstrapServers: servers, groupID: "g", topics: ["t"])
        configuration.maxBatchSize = 0
        expectInvalid("maxBatchSize") { try configuration.validate() }
    }

    @Test func extraPassesAnyLibrdkafkaKey() throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: servers)
        configuration.extra = [
            "security.protocol": "sasl_ssl", "sasl.mechanisms": "PLAIN", "sasl.username": "user",
            "sasl.password": "secret", "socket.keepalive.enable": "true",
        ]
        try configuration.validate()
        #expect(try configuration.librdkafkaProperties()["sasl.mechanisms"] == "PLAIN")
    }

    @Test func extraRefusesUnknownAndTypedKeys() {
        var producer = KafkaProducerConfiguration(bootstrapServers: servers)
        producer.extra = ["no.such.property": "1"]
        expectInvalid("no.such.property") { try producer.validate() }
        producer.extra = ["linger.ms": "50"]
        expectInvalid("extra[\"linger.ms\"]", "KafkaProducerConfiguration.linger") { try producer.validate() }
        producer.extra = ["acks": "1"]
        expectInvalid("acks is always all") { try producer.validate() }
        producer.extra = ["socket.timeout.ms": "not a number"]
        expectInvalid("socket.timeout.ms") { try producer.validate() }

        var consumer = KafkaConsumerConfiguration(bootstrapServers: servers, groupID: "g", topics: ["t"])
        consumer.extra = ["enable.auto.commit": "true"]
        expectInvalid("enable.auto.commit", "KafkaConsumer.commit") { try consumer.validate() }
        consumer.extra = ["group.id": "other"]
        expectInvalid("groupID") { try consumer.validate() }
    }

    @Test func librdkafkaVersionIsKnown() {
        #expect(KafkaLibrary.version.split(separator: ".").count >= 3)
    }
}

import Cache
import Foundation
import Kafka
import LLM
import Scoring
import VeredictoCore
/// Every setting of the pipeline, read from the environment variables of DESIGN.md in one
/// place (flags of the CLI are written into the same dictionary first). A bad value is one
/// line naming the variable, what it must be and what was given.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | KAFKA_BOOTSTRAP_SERVERS | localhost:9092 | brokers, comma-separated |
/// | KAFKA_SESSION_TIMEOUT_MS | 45000 | consumer-group session timeout |
/// | KAFKA_GAP_PATIENCE_MS | 30000 | how long a consumer fetches again records a fetch passed over before it takes the gap as the log's (transactional or compacted input); 0 = at once |
/// | KAFKA_LINGER_MS | 1 | producer linger: latency added per hop against fewer, larger produce requests |
/// | KAFKA_COMPRESSION | zstd | record-batch compression: zstd, lz4, snappy, gzip or none |
/// | KAFKA_COMPRESSION_LEVEL | 1 with zstd, else the codec's | compression level: zstd 1-12, lz4 0-12, gzip 0-9 (snappy and none have none) |
/// | KAFKA_CONFIG | (none) | extra librdkafka properties, `key=value,key=value` (SASL/SSL) |
/// | KAFKA_CONFIG_FILE | (none) | a file of extra librdkafka properties, one `key=value` a line (values may hold commas); KAFKA_CONFIG wins |
/// | TOPIC_PREFIX | (none) | prefix of every topic name |
/// | TOPIC_PARTITIONS | 6 | partitions per topic (`veredicto topics create`) |
/// | MONGO_URI | mongodb://localhost:27017 | MongoDB |
/// | MONGO_DB | yahoo_db | database |
/// | SCORE_THRESHOLD | 0.65 | accept at or above |
/// | MAX_RETRIES | 3 | attempts before a forced accept |
/// | IDF_MODE | corpus with IDF_MODEL, else pair | `corpus` or `pair` |
/// | IDF_MODEL | (none) | model file of `veredicto idf build` |
/// | LLM_ERROR_RETRIES | 3 | re-issues of a failed request from llm_errors before `failed` |
/// | BATCH_SIZE | 1000 | messages per consumer batch |
/// | MAX_MESSAGE_BYTES | 1000000 | largest record value read or published; larger ones are dead letters |
/// | METRICS_PORT | 9464 | port of /metrics and /health, 0 = no metrics server |
/// | METRICS_HOST | 0.0.0.0 | IPv4 address the metrics server binds |
/// | READY_STALL_S | 60 | seconds with messages waiting and no progress before a service is not ready |
/// | FAULT_PAUSE_AFTER_POLL_MS | 0 | fault injection: pause between polling a batch and handling it |
/// | CACHE_POLICY, CACHE_SIZE, CACHE_TTL | lru, 1024, 3600 | see `CacheConfiguration` |
/// | LLM_* | | see `LLMConfiguration` |
public struct PipelineSettings: Sendable {
    public var bootstrapServers: [String] = ["localhost:9092"]
    public var sessionTimeout: Duration = .seconds(45)
    public var gapPatience: Duration = .seconds(30)
    public var kafkaProperties: [String: String] = [:]
    /// The shared key of the message signatures (PIPELINE_SIGNING_KEY or _FILE); nil: off.
    public var signingKey: [UInt8]?
    public var linger: Duration = .milliseconds(1)
    public var compression: KafkaCompression = .zstd
    /// KAFKA_COMPRESSION_LEVEL; nil: 1 with zstd, the codec's own default with the others.
    public var compressionLevel: Int?
    public var topics = PipelineTopics()
    public var partitions = 6
    /// Which transport and store a command runs on (`PipelineBackends` makes them).
    public var transportBackend: TransportBackend = .inMemoryBus
    public var storeBackend: StoreBackend = .inMemory
    public var mongoURI = "mongodb://localhost:27017"
    public var mongoDatabase = "yahoo_db"
    public var scoreThreshold = 0.65
    public var maxRetries = 3
    public var idfMode: IDFMode = .pair
    public var idfModelPath: String?
    public var llmErrorRetries = 3
    public var batchSize = 1000
    /// Fault injection (`FAULT_PAUSE_AFTER_POLL_MS`): each service holds every batch it polls this
    /// long before handling it, so a stop or kill lands mid-batch. Zero in any real deployment.
    public var pauseAfterPoll: Duration = .zero
    /// The largest record value the services read or publish (`MAX_MESSAGE_BYTES`).
    public var maxMessageBytes = MessageDomain.defaultMaximumMessageBytes
    /// Port of the metrics and health server of `veredicto serve` (0: none).
    public var metricsPort = 9464
    /// Address the metrics server binds.
    public var metricsHost = "0.0.0.0"
    /// Messages waiting and no progress for this long: not ready (stalled).
    public var stallTimeout: Duration = .seconds(60)
    public var cache = CacheConfiguration()
    public var llm = LLMConfiguration()

    public init() {}

    public init(environment: [String: String]) throws {
        let reader = EnvironmentReader(environment)
        bootstrapServers = reader.string("KAFKA_BOOTSTRAP_SERVERS", default: "localhost:9092")
            .split(separator: ",").map { String($0).trimmingBlanks() }.filter { !$0.isEmpty }
        guard !bootstrapServers.isEmpty else {
            throw ConfigurationError(variable: "KAFKA_BOOTSTRAP_SERVERS", expectation: "HOST:PORT[,HOST:PORT...]", value: "")
        }
        sessionTimeout = .milliseconds(try reader.integer("KAFKA_SESSION_TIMEOUT_MS", default: 45_000, in: 1_000...3_600_000))
        gapPatience = .milliseconds(try reader.integer("KAFKA_GAP_PATIENCE_MS", default: 30_000, in: 0...3_600_000))
        linger = .milliseconds(try reader.integer("KAFKA_LINGER_MS", default: 1, in: 0...10_000))
        let codec = reader.string("KAFKA_COMPRESSION", default: KafkaCompression.zstd.rawValue)
        guard let compression = KafkaCompression(rawValue: codec.trimmingBlanks().lowercased()) else {
            throw ConfigurationError(variable: "KAFKA_COMPRESSION",
                                     expectation: "one of " + KafkaCompression.allCases.map(\.rawValue).joined(separator: ", "),
                                     value: codec)
        }
        self.compression = compression
        if let raw = reader.raw("KAFKA_COMPRESSION_LEVEL") {
            let levels = compression.levels
            let expectation = levels.map { "an integer from \($0.lowerBound) to \($0.upperBound) for \(compression.rawValue)" }
                ?? "unset: \(compression.rawValue) has no compression levels"
            guard let levels, let level = Int(raw.trimmingBlanks()), levels.contains(level) else {
                throw ConfigurationError(variable: "KAFKA_COMPRESSION_LEVEL", expectation: expectation, value: raw)
            }
            compressionLevel = level
        }
        if let path = reader.raw("KAFKA_CONFIG_FILE") {
            kafkaProperties = try Self.kafkaProperties(file: path)
        }
        if let raw = reader.raw("KAFKA_CONFIG") {
            for pair in raw.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).trimmingBlanks() }
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw ConfigurationError(variable: "KAFKA_CONFIG", expectation: "key=value pairs separated by commas",
                                             value: String(pair))
                }
                kafkaProperties[parts[0]] = parts[1]
            }
        }
        signingKey = try Self.signingKey(reader)
        topics = PipelineTopics(prefix: reader.string("TOPIC_PREFIX", default: ""))
        partitions = try reader.integer("TOPIC_PARTITIONS", default: 6, in: 1...10_000)
        mongoURI = reader.string("MONGO_URI", default: "mongodb://localhost:27017")
        mongoDatabase = reader.string("MONGO_DB", default: "yahoo_db")
        scoreThreshold = try reader.number("SCORE_THRESHOLD", default: 0.65, in: 0...1)
        maxRetries = try reader.integer("MAX_RETRIES", default: 3, in: 1...100)
        idfModelPath = reader.raw("IDF_MODEL")
        idfMode = try reader.choice("IDF_MODE", default: idfModelPath == nil ? IDFMode.pair : .corpus)
        if idfMode == .corpus && idfModelPath == nil {
            throw ConfigurationError(variable: "IDF_MODEL", expectation: "a model file (veredicto idf build) when IDF_MODE=corpus",
                                     value: "")
        }
        llmErrorRetries = try reader.integer("LLM_ERROR_RETRIES", default: 3, in: 0...100)
        batchSize = try reader.integer("BATCH_SIZE", default: 1000, in: 1...100_000)
        pauseAfterPoll = .milliseconds(try reader.integer("FAULT_PAUSE_AFTER_POLL_MS", default: 0, in: 0...10_000))
        maxMessageBytes = try reader.integer("MAX_MESSAGE_BYTES", default: MessageDomain.defaultMaximumMessageBytes,
                                             in: 524_288...100_000_000)
        metricsPort = try reader.integer("METRICS_PORT", default: 9464, in: 0...65_535)
        metricsHost = reader.string("METRICS_HOST", default: "0.0.0.0")
        stallTimeout = .seconds(try reader.integer("READY_STALL_S", default: 60, in: 1...86_400))
        cache = try CacheConfiguration(environment: environment)
        llm = try LLMConfiguration(environment: environment)
    }

    /// The librdkafka properties of a KAFKA_CONFIG_FILE: one `key=value` per line, split at the
    /// first `=`, so a value may hold commas and `=` (a SASL JAAS line); blank lines and lines
    /// starting with `#` are skipped; keys and values are trimmed.
    static func kafkaProperties(file path: String) throws -> [String: String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(variable: "KAFKA_CONFIG_FILE", expectation: "a readable UTF-8 file of key=value lines",
                                     value: path)
        }
        var properties: [String: String] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = String(line).trimmingBlanks()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let parts = trimmed.split(separator: "=", maxSplits: 1).map { String($0).trimmingBlanks() }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ConfigurationError(variable: "KAFKA_CONFIG_FILE",
                                         expectation: "key=value on every line that is not blank or a # comment",
                                         value: "\(path) line \(index + 1)")  // not the line: it may hold a secret
            }
            properties[parts[0]] = parts[1]
        }
        return properties
    }

    /// PIPELINE_SIGNING_KEY (its UTF-8 bytes) or the contents of PIPELINE_SIGNING_KEY_FILE (a
    /// trailing newline dropped); nil when neither is set. Never echoed in an error.
    static func signingKey(_ reader: EnvironmentReader) throws -> [UInt8]? {
        let key: [UInt8]
        if let text = reader.values["PIPELINE_SIGNING_KEY"], !text.isEmpty {
            guard reader.raw("PIPELINE_SIGNING_KEY_FILE") == nil else {
                throw ConfigurationError("set PIPELINE_SIGNING_KEY or PIPELINE_SIGNING_KEY_FILE, not both")
            }
            key = Array(text.utf8)
        } else if let path = reader.raw("PIPELINE_SIGNING_KEY_FILE") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(variable: "PIPELINE_SIGNING_KEY_FILE", expectation: "a readable file holding the key",
                                         value: path)
            }
            var bytes = Array(data)
            while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
            key = bytes
        } else {
            return nil
        }
        guard key.count >= MessageSigner.minimumKeyBytes else {
            throw ConfigurationError("the message signing key (PIPELINE_SIGNING_KEY or _FILE) must be at least "
                                     + "\(MessageSigner.minimumKeyBytes) bytes, got \(key.count)")
        }
        return key
    }

    /// The corpus model when in corpus mode.
    public func loadModel() throws -> IDFModel? {
        guard idfMode == .corpus, let idfModelPath else { return nil }
        return try IDFModel(loading: idfModelPath)
    }

    /// The Kafka transport these settings describe.
    public var kafka: KafkaTransport {
        var transport = KafkaTransport(bootstrapServers: bootstrapServers)
        transport.sessionTimeout = sessionTimeout
        transport.gapPatience = gapPatience
        transport.extra = kafkaProperties
        transport.signer = signingKey.map { MessageSigner(key: $0) }
        transport.linger = linger
        transport.compression = compression
        transport.compressionLevel = compressionLevel
        transport.maxMessageBytes = maxMessageBytes
        return transport
    }
}

import ArgumentParser
import Foundation
import Runtime
import VeredictoCore

/// Flags shared by the pipeline commands; each one overrides its environment variable.
struct PipelineOptions: ParsableArguments {
    @Option(name: .customLong("kafka"), help: "Kafka bootstrap servers (KAFKA_BOOTSTRAP_SERVERS).")
    var kafka: String?

    @Option(name: .customLong("mongo"), help: "MongoDB URI (MONGO_URI).")
    var mongo: String?

    @Option(name: .customLong("mongo-db"), help: "MongoDB database (MONGO_DB, default yahoo_db).")
    var mongoDatabase: String?

    @Option(name: .customLong("topic-prefix"), help: "Prefix of every topic name (TOPIC_PREFIX).")
    var topicPrefix: String?

    @Option(name: .customLong("partitions"), help: "Partitions per topic for `topics create` (TOPIC_PARTITIONS).")
    var partitions: Int?

    @Option(name: .customLong("cache-policy"), help: "lru, lfu or fifo (CACHE_POLICY).")
    var cachePolicy: String?

    @Option(name: .customLong("cache-size"), help: "Cache entries (CACHE_SIZE).")
    var cacheSize: Int?

    @Option(name: .customLong("cache-ttl"), help: "Cache TTL in seconds, 0 = none (CACHE_TTL).")
    var cacheTTL: Int?

    @Option(name: .customLong("threshold"), help: "Accept scores at or above this (SCORE_THRESHOLD).")
    var threshold: Double?

    @Option(name: .customLong("max-retries"), help: "Attempts before a forced accept (MAX_RETRIES).")
    var maxRetries: Int?

    @Option(name: .customLong("idf-model"), help: "Corpus IDF model file (IDF_MODEL); without it scoring uses pair IDF.")
    var idfModel: String?

    @Option(name: .customLong("batch-size"), help: "Messages per consumer batch (BATCH_SIZE).")
    var batchSize: Int?

    @Option(name: .customLong("metrics-port"), help: "Port of /metrics and /health, 0 = none (METRICS_PORT, default 9464).")
    var metricsPort: Int?

    @Option(name: .customLong("metrics-host"), help: "IPv4 address the metrics server binds (METRICS_HOST, default 0.0.0.0).")
    var metricsHost: String?

    /// Each flag's environment variable, its name and the value typed (nil when not given).
    var flags: [(variable: String, flag: String, value: String?)] {
        [
            ("KAFKA_BOOTSTRAP_SERVERS", "--kafka", kafka), ("MONGO_URI", "--mongo", mongo), ("MONGO_DB", "--mongo-db", mongoDatabase),
            ("TOPIC_PREFIX", "--topic-prefix", topicPrefix), ("TOPIC_PARTITIONS", "--partitions", partitions.map(String.init)),
            ("CACHE_POLICY", "--cache-policy", cachePolicy), ("CACHE_SIZE", "--cache-size", cacheSize.map(String.init)),
            ("CACHE_TTL", "--cache-ttl", cacheTTL.map(String.init)), ("SCORE_THRESHOLD", "--threshold", threshold.map { String($0) }),
            ("MAX_RETRIES", "--max-retries", maxRetries.map(String.init)), ("IDF_MODEL", "--idf-model", idfModel),
            ("BATCH_SIZE", "--batch-size", batchSize.map(String.init)), ("METRICS_PORT", "--metrics-port", metricsPort.map(String.init)),
            ("METRICS_HOST", "--metrics-host", metricsHost),
        ]
    }

    /// The process environment with the flags written over it.
    func environment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for case let (name, _, value?) in flags { environment[name] = value }
        return environment
    }

    /// Settings from the environment and flags; a bad value is one line saying what to fix,
    /// naming the flag when the value came from one (else its environment variable).
    func settings() throws -> PipelineSettings {
        do {
            var settings = try PipelineSettings(environment: environment())
            settings.transportBackend = kafka != nil ? .kafka : .inMemoryBus
            settings.storeBackend = mongo != nil ? .mongo : .inMemory
            return settings
        } catch let error as ConfigurationError {
            var text = error.description
            if let typed = flags.first(where: { $0.value != nil && text.hasPrefix($0.variable + " ") }) {
                text = typed.flag + text.dropFirst(typed.variable.count)
            }
            throw ValidationError(text)
        }
    }
}

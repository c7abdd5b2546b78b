import ArgumentParser
import Foundation
import Runtime
import VeredictoCore

/// The pipeline's setting flags, each overriding its environment variable, in small groups so
/// that a command lists only the flags it honours (`--metrics-port` only where a metrics server
/// runs, `--threshold` not where the experiment sets the threshold itself). A command takes the
/// groups it needs with `@OptionGroup` and reads its settings with `settings(_:)`; a setting
/// without its flag still comes from the environment.
enum PipelineOptions {
    /// A group of setting flags: each flag's environment variable, its name and the value typed
    /// (nil when not given).
    protocol Group {
        var flags: [(variable: String, flag: String, value: String?)] { get }
    }

    struct Kafka: ParsableArguments, Group {
        @Option(name: .customLong("kafka"), help: "Kafka bootstrap servers (KAFKA_BOOTSTRAP_SERVERS).")
        var kafka: String?

        var flags: [(variable: String, flag: String, value: String?)] { [("KAFKA_BOOTSTRAP_SERVERS", "--kafka", kafka)] }
    }

    struct TopicPrefix: ParsableArguments, Group {
        @Option(name: .customLong("topic-prefix"), help: "Prefix of every topic name (TOPIC_PREFIX).")
        var topicPrefix: String?

        var flags: [(variable: String, flag: String, value: String?)] { [("TOPIC_PREFIX", "--topic-prefix", topicPrefix)] }
    }

    struct Partitions: ParsableArguments, Group {
        @Option(name: .customLong("partitions"), help: "Partitions of each topic created over Kafka (TOPIC_PARTITIONS).")
        var partitions: Int?

        var flags: [(variable: String, flag: String, value: String?)] {
            [("TOPIC_PARTITIONS", "--partitions", partitions.map(String.init))]
        }
    }

    struct Mongo: ParsableArguments, Group {
        @Option(name: .customLong("mongo"), help: "MongoDB URI (MONGO_URI).")
        var mongo: String?

        @Option(name: .customLong("mongo-db"), help: "MongoDB database (MONGO_DB, default yahoo_db).")
        var mongoDatabase: String?

        var flags: [(variable: String, flag: String, value: String?)] {
            [("MONGO_URI", "--mongo", mongo), ("MONGO_DB", "--mongo-db", mongoDatabase)]
        }
    }

    struct Cache: ParsableArguments, Group {
        @Option(name: .customLong("cache-policy"), help: "lru, lfu or fifo (CACHE_POLICY).")
        var cachePolicy: String?

        @Option(name: .customLong("cache-size"), help: "Cache entries (CACHE_SIZE).")
        var cacheSize: Int?

        @Option(name: .customLong("cache-ttl"), help: "Cache TTL in seconds, 0 = none (CACHE_TTL).")
        var cacheTTL: Int?

        var flags: [(variable: String, flag: String, value: String?)] {
            [("CACHE_POLICY", "--cache-policy", cachePolicy), ("CACHE_SIZE", "--cache-size", cacheSize.map(String.init)),
             ("CACHE_TTL", "--cache-ttl", cacheTTL.map(String.init))]
        }
    }

    struct Threshold: ParsableArguments, Group {
        @Option(name: .customLong("threshold"), help: "Accept scores at or above this (SCORE_THRESHOLD).")
        var threshold: Double?

        var flags: [(variable: String, flag: String, value: String?)] {
            [("SCORE_THRESHOLD", "--threshold", threshold.map { String($0) })]
        }
    }

    struct MaxRetries: ParsableArguments, Group {
        @Option(name: .customLong("max-retries"), help: "Attempts before a forced accept (MAX_RETRIES).")
        var maxRetries: Int?

        var flags: [(variable: String, flag: String, value: String?)] {
            [("MAX_RETRIES", "--max-retries", maxRetries.map(String.init))]
        }
    }

    struct IDFModel: ParsableArguments, Group {
        @Option(name: .customLong("idf-model"), help: "Corpus IDF model file (IDF_MODEL); without it scoring uses pair IDF.")
        var idfModel: String?

        var flags: [(variable: String, flag: String, value: String?)] { [("IDF_MODEL", "--idf-model", idfModel)] }
    }

    struct BatchSize: ParsableArguments, Group {
        @Option(name: .customLong("batch-size"), help: "Messages per consumer batch (BATCH_SIZE).")
        var batchSize: Int?

        var flags: [(variable: String, flag: String, value: String?)] {
            [("BATCH_SIZE", "--batch-size", batchSize.map(String.init))]
        }
    }

    struct Metrics: ParsableArguments, Group {
        @Option(name: .customLong("metrics-port"), help: "Port of /metrics and /health, 0 = none (METRICS_PORT, default 9464).")
        var metricsPort: Int?

        @Option(name: .customLong("metrics-host"), help: "IPv4 address the metrics server binds (METRICS_HOST, default 0.0.0.0).")
        var metricsHost: String?

        var flags: [(variable: String, flag: String, value: String?)] {
            [("METRICS_PORT", "--metrics-port", metricsPort.map(String.init)), ("METRICS_HOST", "--metrics-host", metricsHost)]
        }
    }

    /// The process environment with the flags of `groups` written over it.
    static func environment(_ groups: [any Group]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for case let (name, _, value?) in groups.flatMap(\.flags) { environment[name] = value }
        return environment
    }

    /// Settings from the environment and the flags of `groups`; a bad value is one line saying
    /// what to fix, naming the flag when the value came from one (else its environment variable).
    /// Kafka is the transport when `--kafka` was given, MongoDB the store when `--mongo` was.
    static func settings(_ groups: [any Group]) throws -> PipelineSettings {
        let flags = groups.flatMap(\.flags)
        do {
            var settings = try PipelineSettings(environment: environment(groups))
            settings.transportBackend = flags.contains { $0.flag == "--kafka" && $0.value != nil } ? .kafka : .inMemoryBus
            settings.storeBackend = flags.contains { $0.flag == "--mongo" && $0.value != nil } ? .mongo : .inMemory
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

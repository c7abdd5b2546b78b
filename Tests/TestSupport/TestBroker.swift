import Foundation
import Logging
import Kafka

/// The broker the integration tests use, from `VEREDICTO_TEST_KAFKA` (set by scripts/test-env.sh).
public enum TestBroker {
    /// Throws `TestServers.NotConfigured`, which fails the test, when no broker is given.
    public static func bootstrapServers() throws -> [String] {
        [try TestServers.kafka()]
    }

    /// A name no other test or run uses.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(13).lowercased())"
    }

    public static let logger: Logger = {
        var logger = Logger(label: "veredicto.kafka.test")
        logger.logLevel = .notice
        return logger
    }()

    public static func admin() throws -> KafkaAdmin {
        try KafkaAdmin(configuration: KafkaAdminConfiguration(bootstrapServers: bootstrapServers()), logger: logger)
    }

    public static func producer() throws -> KafkaProducer {
        try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: bootstrapServers()), logger: logger)
    }

    /// A consumer with a short session timeout: Tansu completes a group's first join after about
    /// half of it.
    public static func consumer(group: String, topic: String, maxBatchSize: Int = 1000,
                                gapPatience: Duration = .seconds(30)) throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: try bootstrapServers(), groupID: group,
                                                       topics: [topic])
        configuration.sessionTimeout = .seconds(6)
        configuration.maxBatchSize = maxBatchSize
        configuration.gapPatience = gapPatience
        return try KafkaConsumer(configuration: configuration, logger: logger)
    }
}

public struct TestTimeout: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

extension KafkaConsumer {
    /// Polls until `body` has seen `count` messages in all, or throws after `timeout`. Commits
    /// each batch if `commit`.
    public func consume(count: Int, timeout: Duration, commit: Bool,
                 _ body: (KafkaMessage) throws -> Void) async throws {
        let deadline = ContinuousClock.now + timeout
        var seen = 0
        while seen < count {
            guard ContinuousClock.now < deadline else {
                throw TestTimeout(description: "received \(seen) of \(count) messages in \(timeout)")
            }
            let batch = try await poll(timeout: .milliseconds(250))
            for message in batch {
                try body(message)
            }
            seen += batch.count
            if commit, !batch.isEmpty {
                try await self.commit(batch)
            }
        }
    }

    /// How many messages arrive within `duration` (to check that nothing more comes).
    public func countArrivals(during duration: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + duration
        var count = 0
        while ContinuousClock.now < deadline {
            count += try await poll(timeout: .milliseconds(200)).count
        }
        return count
    }
}

extension UnsafeRawBufferPointer {
    public var text: String { String(decoding: self, as: UTF8.self) }
}

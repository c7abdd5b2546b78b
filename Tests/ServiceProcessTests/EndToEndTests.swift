import Foundation
import Mongo
import Testing
import TestSupport

/// The five services as separate processes over a real Kafka-protocol broker and a real
/// MongoDB-protocol server.
@Suite(.serialized) struct EndToEndTests {
    struct Deployment {
        let environment: [String: String]
        let database: String
        let directory: URL
        let mongo: MongoClientPool
    }

    static func deploy(_ name: String, extra: [String: String] = [:]) async throws -> Deployment {
        let servers = try TestServers.addresses()
        let id = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let database = "veredicto_\(name)_\(id)"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("veredicto-\(name)-\(id)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var environment = [
            "KAFKA_BOOTSTRAP_SERVERS": servers.kafka, "MONGO_URI": servers.mongo, "MONGO_DB": database,
            "TOPIC_PREFIX": "\(name)_\(id)_", "TOPIC_PARTITIONS": "3", "KAFKA_SESSION_TIMEOUT_MS": "6000",
            "BATCH_SIZE": "500",
        ]
        environment.merge(extra) { $1 }
        let topics = try ServiceProcess(name: "topics", arguments: ["topics", "create"], environment: environment,
                                        logDirectory: directory)
        let status = await topics.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "topics create: \(topics.output)")
        return Deployment(environment: environment, database: database, directory: directory,
                          mongo: try MongoClientPool(uri: servers.mongo))
    }

    static func waitForMetrics(_ deployment: Deployment, asked: Int, timeout: Duration) async throws -> BSONDocument? {
        let database = deployment.mongo.database(deployment.database)
        let deadline = ContinuousClock.now + timeout
        var metrics: BSONDocument?
        while ContinuousClock.now < deadline {
            metrics = try await database.findOne(collection: "metrics", id: "global")
            if let count = metrics?["asked"]?.int64Value, count >= asked { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        return metrics
    }

    @Test(.timeLimit(.minutes(6)))
    func fiveServicesAsProcessesDecideEveryQuestionOnce() async throws {
        let deployment = try await Self.deploy("e2e", extra: ["LLM_OVERLOAD_RATE": "0.02", "LLM_RETRIES": "1",
                                                               "LLM_BACKOFF_BASE_MS": "1", "LLM_BACKOFF_MAX_MS": "5"])
        defer { deployment.mongo.close() }
        var services: [ServiceProcess] = []
        for name in ["cache", "llm", "score", "store"] {
            services.append(try ServiceProcess(name: name, arguments: ["serve", name], environment: deployment.environment,
                                               logDirectory: deployment.directory))
        }
        // Two waves of 1,000: the second asks again questions the first has decided, so repeats
        // are served from the cache however loaded the machine is.
        let total = 2000
        var latest: BSONDocument?
        for wave in 0..<2 {
            let generator = try ServiceProcess.generator(name: "generator-\(wave)", total: total / 2, rate: 0, seed: 11 + wave,
                environment: deployment.environment, directory: deployment.directory)
            #expect(await generator.waitForExit(timeout: .seconds(120)) == 0, "generator: \(generator.output)")
            latest = try await Self.waitForMetrics(deployment, asked: (wave + 1) * total / 2, timeout: .seconds(180))
        }
        let metrics = try #require(latest, "no metrics document; store log: \(services[3].output)")
        for service in services {
            let status = await service.stop()
            #expect(status == 0, "\(service.name) did not stop cleanly: \(service.output.suffix(2000))")
        }
        let database = deployment.mongo.database(deployment.database)
        #expect(metrics["asked"]?.int64Value == Int64(total))

        // Every question asked has exactly one result; the generators' logs say which were asked.
        let (logs, lines, asked) = try ResultChecks.askedQuestions(in: deployment.directory)
        #expect(logs == 2)
        #expect(lines.count == total)
        #expect(asked.count < total)  // Zipf popularity repeats questions
        let results = try await database.count(collection: "results")
        #expect(results == asked.count)
        #expect(metrics["questions"]?.int64Value == Int64(asked.count))

        // The metrics document adds up to what the results hold.
        let sum = try #require(try await ResultChecks.resultSums(database))
        #expect(sum["asked"]?.int64Value == Int64(total))
        #expect(sum["regenerations"]?.int64Value == metrics["regenerations"]?.int64Value)
        #expect(sum["llm_calls"]?.int64Value == metrics["llm_calls"]?.int64Value)
        #expect(sum["cache"]?.int64Value == metrics["by_source"]?["cache"]?.int64Value)
        // So do the LLM's tokens, each result's priced at the store's LLM_PRICE_* (the defaults).
        #expect(sum["prompt_tokens"]?.int64Value == metrics["prompt_tokens"]?.int64Value)
        #expect(sum["completion_tokens"]?.int64Value == metrics["completion_tokens"]?.int64Value)
        #expect((metrics["prompt_tokens"]?.int64Value ?? 0) > 0 && metrics["tokens_estimated"]?.boolValue == true)
        #expect((metrics["cost"]?.doubleValue ?? 0) > 0)
        #expect((metrics["regenerations"]?.int64Value ?? 0) > 0)
        #expect((sum["max_attempts"]?.int64Value ?? 99) <= 3)
        #expect((metrics["by_source"]?["cache"]?.int64Value ?? 0) > 0)
        let accepted = metrics["accepted"]?.int64Value ?? 0, forced = metrics["forced"]?.int64Value ?? 0
        let failed = metrics["failed"]?.int64Value ?? 0
        #expect(accepted + forced + failed == Int64(asked.count))
        #expect(forced > 0)
        try await database.dropDatabase()
    }
}

import Foundation
import Mongo
import Observability
import Testing

/// SIGKILL of a store, cache or llm process mid-batch, a new instance in its place: what the
/// victim read but had not committed is read again (the test checks that this happened), and
/// MongoDB still holds exactly one effect per asking.
@Suite(.serialized) struct KillMidRunTests {
    @Test(.timeLimit(.minutes(6)), arguments: ["store", "cache", "llm"])
    func aServiceKilledMidBatchIsReplacedAndNothingCountsTwice(kind: String) async throws {
        // A 300 ms model keeps the cache's askings waiting for chains (their batches held) and
        // the llm's batches in hand long enough that the kill finds its victim mid-batch even on
        // a loaded machine; at 5 ms a busy run once had the cache read everything between two
        // looks at its counters.
        let latency = kind == "store" ? "5" : "300"
        let deployment = try await EndToEndTests.deploy("kill_\(kind)", extra: ["BATCH_SIZE": "100", "LLM_LATENCY_MS": latency,
                                                                                        "FAULT_PAUSE_AFTER_POLL_MS": "50"])
        defer { deployment.mongo.close() }
        var services: [String: (ServiceProcess, Int)] = [:]
        for name in ["cache", "llm", "score", "store"] {
            services[name] = try ScalingTests.start(name, instance: "1", deployment: deployment)
        }
        for (process, port) in services.values {
            #expect(await ScalingTests.waitHealthy(port, process), "\(process.name) not healthy: \(process.output.suffix(2000))")
        }
        let total = 1800
        let generator = try ServiceProcess.generator(total: total, rate: 150, seed: 9,
            environment: deployment.environment, directory: deployment.directory)

        let (victim, victimPort) = services[kind]!
        let polledByVictim = await ScalingTests.killMidBatch(victim, port: victimPort)
        #expect(polledByVictim > 0, "\(victim.name) got no work")
        let replacement = try ScalingTests.start(kind, instance: "2", deployment: deployment)
        services[kind] = replacement
        #expect(await ScalingTests.waitHealthy(replacement.1, replacement.0), "replacement \(kind) not healthy")

        #expect(await generator.waitForExit(timeout: .seconds(120)) == 0, "generator: \(generator.output)")
        // A store killed inside its transaction leaves it open on the server until the server's
        // transaction lifetime (60 s) ends it: until then every batch of its replacement
        // conflicts on the metrics document, and a loaded MongoDB server is slow after that.
        let metrics = try #require(try await EndToEndTests.waitForMetrics(deployment, asked: total, timeout: .seconds(200)),
                                   "no metrics document")
        let survivors = await StopMidRunTests.stopAll(services.values.map(\.0))

        // The records of the victim's input topics, known from the survivors and MongoDB; the
        // victim and its replacement together read more than that: a redelivery happened.
        let regenerations = Int(metrics["regenerations"]?.int64Value ?? -1)
        let llmCalls = Int(metrics["llm_calls"]?.int64Value ?? -1)
        let records: Int
        switch kind {
        case "store":
            records = total
        case "cache":
            // Questions, regeneration requests, and the decisions the store read (a cache hit
            // redelivered is decided again, under the same id).
            records = total + regenerations + (survivors["store"]?.polled ?? -1)
        default:
            records = llmCalls
        }
        let readAgain = polledByVictim + (survivors[kind]?.polled ?? 0) - records
        let reading = "\(kind): the victim polled \(polledByVictim), its replacement \(survivors[kind]?.polled ?? 0), "
            + "of \(records) records"
        #expect(readAgain > 0, "\(reading): nothing was read again")
        print("killed \(kind) mid-batch: \(reading), \(readAgain) read again")
        let database = deployment.mongo.database(deployment.database)
        try await ResultChecks.expectMetricsMatchResults(database, asked: total, directory: deployment.directory)
        try await database.dropDatabase()
    }
}

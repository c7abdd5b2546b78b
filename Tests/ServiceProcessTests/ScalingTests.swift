import Foundation
import Observability
import Testing
import TestSupport
import VeredictoCore

/// Scaled out as `docker compose up --scale score=2 --scale cache=2` runs it: several instances
/// of a service share its consumer group over more partitions than instances, and one is killed
/// without warning mid-run and replaced. Nothing is lost and nothing is counted twice.
@Suite(.serialized) struct ScalingTests {
    /// A free loopback port for a process's metrics server.
    /// Ports handed out in this test process: the kernel may offer a port again once its probe
    /// is closed, and two tests starting servers at the same moment then chose the same one
    /// (one server failed to bind, and its test talked to the other test's server).
    private static let handedOut = LockedValue<Set<Int>>([])

    /// A loopback port free now and never handed out before in this process.
    static func freePort() throws -> Int {
        for _ in 0..<1000 {
            let probe = try MetricsHTTPServer(registry: MetricsRegistry(), host: "127.0.0.1", port: 0)
            let port = probe.port
            probe.stop()
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
        throw TestTimeout(description: "no loopback port left that this test process has not handed out")
    }

    static func start(_ name: String, instance: String, deployment: EndToEndTests.Deployment,
                      extra: [String: String] = [:]) throws -> (ServiceProcess, Int) {
        let port = try freePort()
        var environment = deployment.environment.merging(extra) { $1 }
        environment["METRICS_PORT"] = "\(port)"
        let process = try ServiceProcess(name: "\(name)-\(instance)", arguments: ["serve", name], environment: environment,
                                         logDirectory: deployment.directory)
        return (process, port)
    }

    static func waitHealthy(_ port: Int, _ process: ServiceProcess) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline && process.isRunning {
            if await HTTPProbe.get(port: port, path: "/health")?.status == 200 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Every counter of one scrape, each summed over its label sets; nil when the process did
    /// not answer. Blocks for the HTTP round trip: call it through `HTTPProbe.run`.
    static func counters(_ port: Int) -> [String: Double]? {
        guard let (status, body) = MetricsHTTPServer.get(port: port, path: "/metrics"), status == 200 else { return nil }
        var totals: [String: Double] = [:]
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let end = line.firstIndex(where: { $0 == " " || $0 == "{" }) else { continue }
            totals[String(line[..<end]), default: 0] += Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return totals
    }

    /// One metric's series in a scrape, by their label text (`stage="llm"`, or "" for none).
    static func series(_ port: Int, _ name: String) async -> [String: Double] {
        await HTTPProbe.run { () -> [String: Double] in
            guard let (status, body) = MetricsHTTPServer.get(port: port, path: "/metrics"), status == 200 else { return [:] }
            var series: [String: Double] = [:]
            for line in body.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
                let labels = line.dropFirst(name.count).prefix { $0 != " " }
                series[String(labels.dropFirst().dropLast())] = Double(line.split(separator: " ").last ?? "")
            }
            return series
        } ?? [:]
    }

    /// A counter's value in a scrape (summed over its label sets).
    static func scrape(_ port: Int, _ name: String) async -> Double? {
        await HTTPProbe.run { counters(port)?[name] } ?? nil
    }

    /// Waits (at most a minute) until the process behind `port` has committed `after`
    /// messages and holds messages it polled but has not had acknowledged (its live `polled`
    /// counter ahead of `consumed`, read from one scrape). The tests that use it run their
    /// services with `FAULT_PAUSE_AFTER_POLL_MS`, so that this moment lasts long enough to be
    /// seen from outside on a loaded machine. When it comes, `signal` (if given) is sent to
    /// `process` at once, from the thread that read the scrape, so that no wait for a thread
    /// of the test's busy cooperative pool comes between seeing the moment and the signal.
    /// Returns the `polled` count read last (at most what it has polled) and whether that
    /// moment came.
    static func waitMidBatch(port: Int, after: Double = 200, signal: (process: pid_t, number: Int32)? = nil) async
        -> (polled: Int, midBatch: Bool) {
        let deadline = ContinuousClock.now + .seconds(60)
        var polled = 0.0
        while ContinuousClock.now < deadline {
            let seen = await HTTPProbe.run { () -> (polled: Double, midBatch: Bool) in
                let scraped = counters(port)
                let polled = scraped?[ServiceMetricNames.polled] ?? 0
                let consumed = scraped?[ServiceMetricNames.consumed] ?? 0
                guard consumed >= after && polled > consumed else { return (polled, false) }
                if let signal { kill(signal.process, signal.number) }
                return (polled, true)
            }
            polled = seen?.polled ?? polled
            if seen?.midBatch == true { return (Int(polled), true) }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return (Int(polled), false)
    }

    /// Kills `process` with SIGKILL mid-batch (see `waitMidBatch`), so that something it read
    /// is uncommitted; kills it anyway after a minute. Returns the `polled` count read just
    /// before the kill.
    static func killMidBatch(_ process: ServiceProcess, port: Int, after: Double = 200) async -> Int {
        let pid = process.process.processIdentifier
        let (polled, midBatch) = await waitMidBatch(port: port, after: after, signal: (pid, SIGKILL))
        if !midBatch { kill(pid, SIGKILL) }
        _ = await process.waitForExit(timeout: .seconds(10))
        #expect(midBatch, "\(process.name) was never caught mid-batch")
        return polled
    }

    /// Waits (at most `timeout`) until `process` has logged an assignment that includes a
    /// partition of a topic whose name ends in `topic`.
    static func waitForAssignment(_ process: ServiceProcess, topic: String, timeout: Duration) async -> Bool {
        await FaultTests.until(timeout) {
            process.output.split(separator: "\n").contains { line in
                guard let range = line.range(of: "partitions assigned: ") else { return false }
                return line[range.upperBound...].split(separator: ", ").contains { $0.contains("\(topic)[") }
            }
        }
    }

    @Test(.timeLimit(.minutes(6)))
    func twoScoresAndTwoCachesSurviveAKilledScoreInstance() async throws {
        let deployment = try await EndToEndTests.deploy("scale", extra: ["TOPIC_PARTITIONS": "4", "BATCH_SIZE": "100",
                                                                                   "FAULT_PAUSE_AFTER_POLL_MS": "50"])
        defer { deployment.mongo.close() }
        var services: [(ServiceProcess, Int)] = []
        for (name, instance) in [("cache", "1"), ("cache", "2"), ("llm", "1"), ("score", "1"), ("score", "2"), ("store", "1")] {
            // The score instance to kill holds each batch 1 s before handling it: each of its
            // few batches is then a moment a scrape can catch, however slow scrapes are on a
            // loaded machine (with 50 ms, a whole-suite run once missed all of them; with
            // 300 ms, a fresh-clone run did, its victim reading all 555 responses of the wave).
            let extra = (name, instance) == ("score", "1") ? ["FAULT_PAUSE_AFTER_POLL_MS": "1000"] : [:]
            services.append(try Self.start(name, instance: instance, deployment: deployment, extra: extra))
        }
        for (process, port) in services {
            #expect(await Self.waitHealthy(port, process), "\(process.name) not healthy: \(process.output.suffix(2000))")
        }
        // Two waves of traffic. The second starts only once the replacement holds partitions of
        // llm_responses: a replacement joins after the victim's session has expired, and on a
        // loaded machine one wave can be over by then, leaving it nothing to read.
        let firstWave = 1200, total = 1800
        let generator = try ServiceProcess.generator(name: "generator-1", total: firstWave, rate: 150, seed: 5,
            environment: deployment.environment, directory: deployment.directory)

        // Mid-run, once it is working: one score instance dies holding messages it has not
        // committed, another takes its place.
        let (victim, victimPort) = services[3]
        // Early in the run (after 50 committed): each score instance reads only about 250
        // responses, and a later moment can come after the traffic on a busy machine.
        let polledByVictim = await Self.killMidBatch(victim, port: victimPort, after: 50)
        #expect(polledByVictim > 0, "the score instance to kill got no work")
        let replacement = try Self.start("score", instance: "3", deployment: deployment)
        services.append(replacement)
        #expect(await Self.waitHealthy(replacement.1, replacement.0), "replacement score not healthy")
        #expect(await Self.waitForAssignment(replacement.0, topic: "llm_responses", timeout: .seconds(90)),
                "the replacement score was never assigned llm_responses: \(replacement.0.output.suffix(2000))")

        #expect(await generator.waitForExit(timeout: .seconds(120)) == 0, "generator: \(generator.output)")
        let secondWave = try ServiceProcess.generator(name: "generator-2", total: total - firstWave, rate: 150, seed: 6,
            environment: deployment.environment, directory: deployment.directory)
        #expect(await secondWave.waitForExit(timeout: .seconds(120)) == 0, "generator: \(secondWave.output)")
        let metrics = try #require(try await EndToEndTests.waitForMetrics(deployment, asked: total, timeout: .seconds(240)),
                                   "no metrics document")
        // Let redeliveries after the kill arrive, then check nothing was counted twice.
        try await Task.sleep(for: .seconds(3))
        let database = deployment.mongo.database(deployment.database)
        let settled = try #require(try await database.findOne(collection: "metrics", id: "global"))
        #expect(settled["asked"]?.int64Value == Int64(total))
        #expect(metrics["asked"]?.int64Value == Int64(total))

        // Exactly one result per question asked (the generator's log says which were asked).
        let (logs, lines, asked) = try ResultChecks.askedQuestions(in: deployment.directory)
        #expect(logs == 2)
        #expect(lines.count == total)
        let results = try await database.count(collection: "results")
        #expect(results == asked.count)
        #expect(settled["questions"]?.int64Value == Int64(asked.count))
        let sum = try #require(try await ResultChecks.resultSums(database))
        #expect(sum["asked"]?.int64Value == Int64(total))
        #expect(sum["regenerations"]?.int64Value == settled["regenerations"]?.int64Value)
        #expect(sum["llm_calls"]?.int64Value == settled["llm_calls"]?.int64Value)
        let accepted = settled["accepted"]?.int64Value ?? 0, forced = settled["forced"]?.int64Value ?? 0
        let failed = settled["failed"]?.int64Value ?? 0
        #expect(accepted + forced + failed == Int64(asked.count))

        // The store's /metrics agree with MongoDB; both cache instances and the surviving
        // score instances did work (the partitions were shared).
        let storePort = services[5].1
        #expect(await Self.scrape(storePort, ServiceMetricNames.storeApplied) == Double(total))
        #expect(await Self.scrape(storePort, ServiceMetricNames.storedResults) == Double(asked.count))
        // Every validated response the store polled has a hop latency (a redelivered one too).
        #expect((await Self.scrape(storePort, ServiceMetricNames.hopLatency + "_count") ?? 0) >= Double(total))
        for (process, port) in services where process.name.hasPrefix("cache") {
            #expect((await Self.scrape(port, ServiceMetricNames.consumed) ?? 0) > 0, "\(process.name) consumed nothing")
        }
        let scores = services.filter { $0.0.name.hasPrefix("score") && $0.0.isRunning }
        #expect(scores.count == 2)
        for (process, port) in scores {
            #expect((await Self.scrape(port, ServiceMetricNames.consumed) ?? 0) > 0, "\(process.name) consumed nothing")
        }

        // Each service's /metrics say what its stages' tasks and the whole process spent: the
        // llm service runs two stages; what the stages count is part of the process's CPU.
        for (process, port) in services where process.isRunning {
            let stages = await Self.series(port, ServiceMetricNames.stageCPU)
            let expected = process.name.hasPrefix("llm") ? ["stage=\"llm\"", "stage=\"llm-retry\""]
                : ["stage=\"\(process.name.split(separator: "-")[0])\""]
            #expect(Set(stages.keys) == Set(expected), "\(process.name): \(stages)")
            let processCPU = await Self.series(port, ServiceMetricNames.processCPU)[""] ?? 0
            let counted = stages.values.reduce(0, +)
            #expect(counted > 0 && counted <= processCPU, "\(process.name): stages \(stages), process \(processCPU)")
        }

        let stopped = await StopMidRunTests.stopAll(services.map(\.0).filter(\.isRunning))
        // The score group read more than the llm service wrote to llm_responses: what the
        // victim had not committed was read again.
        let responses = stopped["llm"]?.produced ?? -1
        let scorePolled = polledByVictim + (stopped["score"]?.polled ?? 0)
        #expect(scorePolled > responses, "score instances polled \(scorePolled) of \(responses) responses: nothing was read again")
        print("killed score mid-batch: score instances polled \(scorePolled) of \(responses) responses")
        try await ResultChecks.expectMetricsMatchResults(database, asked: total, directory: deployment.directory)
        try await database.dropDatabase()
    }
}

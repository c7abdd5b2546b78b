import Foundation
import Kafka
import Observability
import Testing
import TestSupport
import Transport
import VeredictoCore

/// `/health/ready` of a running service follows its dependencies: a broker and a MongoDB
/// server of the test's own are killed and started again under it.
@Suite(.serialized) struct ReadinessTests {
    /// A server process of the test's own (a broker or a database), killed at the end.
    final class Server: @unchecked Sendable {
        // @unchecked: driven by one test at a time.
        let process = Process()

        init(_ executable: String, _ arguments: [String], log: URL) throws {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            handle.seekToEndOfFile()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// Waits until this process listens on `port`; false if it exits first or `limit` passes
        /// (a port taken meanwhile by another process makes it exit).
        func waitListening(on port: Int, limit: Duration = .seconds(60)) async -> Bool {
            let deadline = ContinuousClock.now + limit
            let listens = { ListeningProcess.holds(pid: self.process.processIdentifier, port: UInt16(port)) }
            while ContinuousClock.now < deadline && process.isRunning {
                if listens() { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return listens()
        }

        func kill() {
            if process.isRunning {
                Foundation.kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        deinit { kill() }
    }

    static func tansu(port: Int, log: URL) throws -> Server {
        guard let binary = ProcessInfo.processInfo.environment["VEREDICTO_TEST_TANSU_BIN"] else {
            throw TestTimeout(description: "VEREDICTO_TEST_TANSU_BIN is not set: run the tests through scripts/test-env.sh")
        }
        return try Server(binary, ["broker", "--listener-url", "tcp://127.0.0.1:\(port)",
                                   "--advertised-listener-url", "tcp://127.0.0.1:\(port)",
                                   "--storage-engine", "memory://tansu/"], log: log)
    }

    static func secantus(port: Int, directory: URL, log: URL) throws -> Server {
        let config = directory.appendingPathComponent("secantusd.toml")
        _ = FileManager.default.createFile(atPath: config.path, contents: Data())
        return try Server("/usr/bin/env", ["python3", "-m", "secantus", "--config", config.path, "--host", "127.0.0.1",
                                           "--port", "\(port)", "--storage-path",
                                           directory.appendingPathComponent("data").path], log: log)
    }

    /// Polls `/health/ready` until its status is `status`; the time it took, nil if it never was.
    static func waitReady(_ port: Int, status: Int, within limit: Duration, since start: ContinuousClock.Instant = .now)
        async -> Duration? {
        while ContinuousClock.now - start < limit {
            if await HTTPProbe.get(port: port, path: "/health/ready", timeoutSeconds: 2)?.status == status {
                return ContinuousClock.now - start
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    static func createTopics(_ environment: [String: String], directory: URL) async throws {
        for _ in 0..<20 {
            let topics = try ServiceProcess(name: "topics", arguments: ["topics", "create"], environment: environment,
                                            logDirectory: directory)
            if await topics.waitForExit(timeout: .seconds(60)) == 0 { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        Issue.record("topics create kept failing")
    }

    @Test(.timeLimit(.minutes(5)))
    func readinessFollowsTheBrokerAndMongoDBAway() async throws {
        _ = try TestServers.kafka()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("veredicto-ready-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let kafkaPort = try ScalingTests.freePort()
        let mongoPort = try ScalingTests.freePort()
        let metricsPort = try ScalingTests.freePort()
        var broker = try Self.tansu(port: kafkaPort, log: directory.appendingPathComponent("tansu.log"))
        var database = try Self.secantus(port: mongoPort, directory: directory, log: directory.appendingPathComponent("secantus.log"))
        defer {
            broker.kill()
            database.kill()
        }
        let environment = [
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:\(kafkaPort)", "MONGO_URI": "mongodb://127.0.0.1:\(mongoPort)/?directConnection=true",
            "MONGO_DB": "veredicto_ready", "TOPIC_PREFIX": "ready_", "TOPIC_PARTITIONS": "2",
            "KAFKA_SESSION_TIMEOUT_MS": "6000", "METRICS_PORT": "\(metricsPort)", "METRICS_HOST": "127.0.0.1",
        ]
        try await Self.createTopics(environment, directory: directory)
        let store = try ServiceProcess(name: "store", arguments: ["serve", "store"], environment: environment,
                                       logDirectory: directory)
        defer { _ = store.process.isRunning ? kill(store.process.processIdentifier, SIGKILL) : 0 }
        let first = await Self.waitReady(metricsPort, status: 200, within: .seconds(90))
        try #require(first != nil, "never ready: \(store.output.suffix(2000))")

        broker.kill()
        let brokerGone = await Self.waitReady(metricsPort, status: 503, within: .seconds(60))
        #expect(brokerGone != nil, "still ready with the broker gone")
        let brokerBody = await HTTPProbe.get(port: metricsPort, path: "/health/ready")?.body ?? ""
        #expect(brokerBody.contains("FAIL kafka: cannot reach the broker at 127.0.0.1:\(kafkaPort)"), "\(brokerBody)")
        let restarted = ContinuousClock.now
        broker = try Self.tansu(port: kafkaPort, log: directory.appendingPathComponent("tansu.log"))
        try await Self.createTopics(environment, directory: directory)
        let brokerBack = await Self.waitReady(metricsPort, status: 200, within: .seconds(90), since: restarted)
        #expect(brokerBack != nil, "not ready again with the broker back: \(store.output.suffix(2000))")

        database.kill()
        let mongoGone = await Self.waitReady(metricsPort, status: 503, within: .seconds(60))
        #expect(mongoGone != nil, "still ready with MongoDB gone")
        let body = await HTTPProbe.get(port: metricsPort, path: "/health/ready")?.body ?? ""
        #expect(body.contains("FAIL mongodb"), "\(body)")
        database = try Self.secantus(port: mongoPort, directory: directory, log: directory.appendingPathComponent("secantus.log"))
        let mongoBack = await Self.waitReady(metricsPort, status: 200, within: .seconds(90))
        #expect(mongoBack != nil, "not ready again with MongoDB back: \(store.output.suffix(2000))")
        print("readiness: broker gone -> not ready after \(brokerGone.map { "\($0)" } ?? "-"), broker back (topics created) "
              + "-> ready after \(brokerBack.map { "\($0)" } ?? "-"); MongoDB gone -> not ready after "
              + "\(mongoGone.map { "\($0)" } ?? "-"), back -> ready after \(mongoBack.map { "\($0)" } ?? "-")")
        // One clear line when the broker went away, naming its address.
        #expect(store.output.contains("cannot reach the Kafka broker at 127.0.0.1:\(kafkaPort)"))
        #expect(await store.stop() == 0)
    }

    /// A TCP port that accepts connections (in the kernel's backlog) and never answers: an
    /// LLM endpoint that hangs. The descriptor, and the port.
    static func silentEndpoint() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 64) == 0 else { throw TestTimeout(description: "cannot listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// An llm service stuck on an endpoint that never answers, with requests waiting behind the
    /// one in hand: not ready, "stalled", once READY_STALL_S has passed.
    @Test(.timeLimit(.minutes(4)))
    func aServiceStuckWithMessagesWaitingIsNotReady() async throws {
        let (endpoint, endpointPort) = try Self.silentEndpoint()
        defer { close(endpoint) }
        let metricsPort = try ScalingTests.freePort()
        let deployment = try await EndToEndTests.deploy("stall", extra: [
            "LLM_BACKEND": "openai", "LLM_BASE_URL": "http://127.0.0.1:\(endpointPort)/v1", "LLM_API_KEY": "test-key",
            "LLM_TIMEOUT_S": "600", "LLM_RETRIES": "0", "READY_STALL_S": "3",
            "METRICS_PORT": "\(metricsPort)", "METRICS_HOST": "127.0.0.1", "TOPIC_PARTITIONS": "1",
        ])
        let llm = try ServiceProcess(name: "llm", arguments: ["serve", "llm"], environment: deployment.environment,
                                     logDirectory: deployment.directory)
        defer { _ = llm.isRunning ? kill(llm.process.processIdentifier, SIGKILL) : 0 }
        let first = await Self.waitReady(metricsPort, status: 200, within: .seconds(90))
        try #require(first != nil, "never ready: \(llm.output.suffix(2000))")

        var transport = KafkaTransport(bootstrapServers: [try TestServers.kafka()])
        transport.sessionTimeout = .seconds(6)
        let producer = try await transport.makeProducer()
        let topic = deployment.environment["TOPIC_PREFIX"]! + "llm_requests"
        func request() -> OutboundMessage {
            let trace = Samples.uniqueID("trace")
            let message = LLMRequest(traceID: trace, questionID: Samples.uniqueID("q"), title: Samples.title,
                                     content: Samples.content, prompt: Samples.prompt, bestAnswer: Samples.bestAnswer,
                                     attempts: 1, createdAt: .now())
            return OutboundMessage(topic: topic, key: trace, value: message.jsonBytes)
        }
        // One request to get the stage stuck, then more behind it once it has taken the first
        // (seen in its polled counter: a fixed pause was not always enough on a loaded machine,
        // and a stage that took all six in one batch had none waiting).
        try await producer.enqueue([request()]).wait()
        let tookTheFirst = await FaultTests.until(.seconds(60)) {
            (await ScalingTests.scrape(metricsPort, ServiceMetricNames.polled) ?? 0) >= 1
        }
        #expect(tookTheFirst, "the llm service never took the first request")
        try await producer.enqueue((0..<5).map { _ in request() }).wait()
        await producer.close()

        let stalled = await Self.waitReady(metricsPort, status: 503, within: .seconds(90))
        #expect(stalled != nil, "still ready while stuck")
        let body = await HTTPProbe.get(port: metricsPort, path: "/health/ready")?.body ?? ""
        #expect(body.contains("FAIL progress: stalled: "), "\(body)")
        #expect(body.contains("ok kafka: "), "\(body)")
        // Still live: the process answers, its tasks run.
        #expect(await HTTPProbe.get(port: metricsPort, path: "/health/live")?.status == 200)
    }
}

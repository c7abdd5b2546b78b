import Foundation
import Logging
import Kafka
import LLM
import Mongo
import Stages
import Transport
import VeredictoCore
import Testing
import TestSupport

/// One service's stage alone against the real servers: topics of its own (a unique prefix),
/// a MongoDB database of its own (dropped at the end), a producer for the test's inputs, and
/// readers of their own consumer groups on the output topics.
///
/// `ServiceHarness.run` sets it up, runs the test's body and always tears down: running
/// stages are cancelled (each finishes and commits its batch in hand, then leaves its group),
/// readers leave their groups, the database is dropped.
final class ServiceHarness {
    let name: String
    let topics: PipelineTopics
    let transport: KafkaTransport
    let mongo: MongoClientPool
    let database: MongoDatabase
    let errors = ErrorLog()
    private let producer: any MessageProducer
    private var stops: [() async -> Void] = []
    private var readers: [OutputReader] = []

    /// Consumer-group session timeout: Tansu completes a group's first join after about half
    /// of it, so a short one keeps each test to seconds.
    static let sessionTimeout: Duration = .seconds(6)
    /// Longest wait for an output that should come (group joins included): a bound against
    /// hanging, not a measurement. Two stores meeting write conflicts on a test server shared
    /// by the whole suite once took 76 s.
    static let outputWait: Duration = .seconds(150)

    private init(name: String, partitions: Int) async throws {
        let servers = try TestServers.addresses()
        let id = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        self.name = name
        let topics = PipelineTopics(prefix: "svc_\(name)_\(id)_")
        self.topics = topics
        var transport = KafkaTransport(bootstrapServers: [servers.kafka])
        transport.sessionTimeout = Self.sessionTimeout
        transport.deliveryWait = .seconds(30)
        var logger = Logger(label: "veredicto.kafka.test")
        logger.logLevel = .notice
        transport.logger = logger
        self.transport = transport
        try await transport.createTopics(Topic.allCases.map { topics.name($0) }, partitions: partitions)
        mongo = try MongoClientPool(uri: Self.mongoURI(servers.mongo), threadCount: 2)
        database = mongo.database("veredicto_svc_\(name)_\(id)")
        do {
            producer = try await transport.makeProducer()
        } catch {
            mongo.close()
            throw error
        }
    }

    /// Runs `body` with a harness of its own and tears it down afterwards, whatever happens.
    static func run(_ name: String, partitions: Int = 3, _ body: (ServiceHarness) async throws -> Void) async throws {
        let harness = try await ServiceHarness(name: name, partitions: partitions)
        do {
            try await body(harness)
        } catch {
            try? await harness.tearDown()
            throw error
        }
        try await harness.tearDown()
    }

    /// A short server-selection timeout, so that a dead server fails a test in seconds.
    static func mongoURI(_ uri: String) -> String {
        if uri.localizedCaseInsensitiveContains("serverSelectionTimeoutMS") { return uri }
        let separator = uri.contains("?") ? "&" : (uri.dropFirst("mongodb://".count).contains("/") ? "?" : "/?")
        return uri + separator + "serverSelectionTimeoutMS=5000"
    }

    private func tearDown() async throws {
        for stop in stops.reversed() { await stop() }
        stops.removeAll()
        for reader in readers { await reader.close() }
        readers.removeAll()
        await producer.close()
        defer { mongo.close() }
        try await database.dropDatabase()
    }

    // MARK: stages

    /// Starts `stage` in a `ServiceRunner` over Kafka, in a task of its own. Its consumer group
    /// is this test's (`prefix + stage name`) unless `group` is given.
    @discardableResult
    func start<Stage: PipelineStage>(_ stage: Stage, group: String? = nil, batchSize: Int = 100) async throws
        -> RunningStage<Stage>
    {
        let consumer = try await transport.makeConsumer(group: group ?? topics.prefix + stage.name,
                                                        topics: stage.inputTopics)
        let runner = ServiceRunner(stage: stage, consumer: consumer, producer: try await transport.makeProducer(),
                                   batchSize: batchSize, deadLetterTopic: topics.name(.deadLetters),
                                   retryDelay: .milliseconds(200), onError: { [errors] in errors.append($0) })
        let running = RunningStage(runner: runner, task: Task { try await runner.run() })
        stops.append { _ = await running.stop() }
        return running
    }

    // MARK: inputs

    /// Publishes messages to their topics, keyed by question as the services key them, and
    /// waits for the broker's acks.
    func publish<Message: TracedMessage>(_ messages: [Message]) async throws {
        try await producer.send(messages.map {
            OutboundMessage(topic: topics.name(Message.topic), key: $0.questionID, value: $0.jsonBytes)
        })
    }

    func publish<Message: TracedMessage>(_ messages: Message...) async throws {
        try await publish(messages)
    }

    /// Publishes raw records (anything, valid or not) and waits for the broker's acks.
    func publishRaw(_ values: [[UInt8]], to topic: Topic, key: String) async throws {
        try await producer.send(values.map { OutboundMessage(topic: topics.name(topic), key: key, value: $0) })
    }

    // MARK: outputs

    /// A reader of a group of its own on `outputs`, from the earliest offsets.
    func reader(_ outputs: Topic...) async throws -> OutputReader {
        let group = topics.prefix + "reader-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let reader = OutputReader(topics: topics, consumer: try await transport.makeConsumer(
            group: group, topics: outputs.map { topics.name($0) }))
        readers.append(reader)
        return reader
    }
}

/// A stage running in a task, and its runner's counters.
struct RunningStage<Stage: PipelineStage>: Sendable {
    let runner: ServiceRunner<Stage>
    let task: Task<Void, any Error>

    var counters: ServiceCounters {
        get async { await runner.counters }
    }

    /// Waits until the runner has consumed and committed `count` messages in all (so that
    /// everything they produced is acknowledged by the broker).
    @discardableResult
    func waitUntilConsumed(_ count: Int, timeout: Duration = ServiceHarness.outputWait) async throws -> ServiceCounters {
        let deadline = ContinuousClock.now + timeout
        while true {
            let counters = await runner.counters
            if counters.consumed >= count { return counters }
            guard ContinuousClock.now < deadline else {
                throw HarnessTimeout("\(Stage.self) consumed \(counters.consumed) of \(count) messages in \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Cancels the runner and waits (bounded) until it has committed its batch in hand and left
    /// its group. Returns whether it finished in time.
    func stop(timeout: Duration = .seconds(30)) async -> Bool {
        task.cancel()
        let finished = Flag()
        let task = self.task
        Task {
            _ = await task.result
            finished.set()
        }
        let deadline = ContinuousClock.now + timeout
        while !finished.isSet && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return finished.isSet
    }
}

/// A record read back from the broker, copied out of librdkafka's buffer.
struct ReadRecord: Sendable {
    let topic: String
    let partition: Int32
    let offset: Int64
    let key: String
    let value: [UInt8]
    /// Wall-clock time it was read (to compare with the messages' timestamps).
    let readAt: Timestamp

    var text: String { String(decoding: value, as: UTF8.self) }
}

/// Reads output topics in a consumer group of its own, keeping every record read.
final class OutputReader {
    let topics: PipelineTopics
    private let consumer: any MessageConsumer
    private(set) var records: [ReadRecord] = []

    init(topics: PipelineTopics, consumer: any MessageConsumer) {
        self.topics = topics
        self.consumer = consumer
    }

    /// One poll; returns the records it read.
    @discardableResult
    func poll(timeout: Duration = .milliseconds(200)) async throws -> [ReadRecord] {
        let batch = try await consumer.poll(maxMessages: 1000, timeout: timeout) { raw in
            ReadRecord(topic: raw.topic, partition: raw.partition, offset: raw.offset,
                       key: String(decoding: raw.key, as: UTF8.self), value: Array(raw.value), readAt: .now())
        }
        records += batch
        return batch
    }

    /// The records read so far on `topic`.
    func records(on topic: Topic) -> [ReadRecord] {
        records.filter { $0.topic == topics.name(topic) }
    }

    /// The messages of type `Message` read so far (from its topic), decoded.
    func messages<Message: PipelineMessage>(_ type: Message.Type) throws -> [Message] {
        try records(on: Message.topic).map { try Message.decode($0.value) }
    }

    /// The messages of type `Message` of one trace read so far.
    func messages<Message: TracedMessage>(_ type: Message.Type, trace: String) throws -> [Message] {
        try messages(type).filter { $0.traceID == trace }
    }

    /// Reads until `done` holds for everything read so far; throws (saying what was awaited
    /// and what was read) after `timeout`.
    func read(until what: String, timeout: Duration = ServiceHarness.outputWait,
              _ done: (OutputReader) throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try !done(self) {
            guard ContinuousClock.now < deadline else {
                throw HarnessTimeout("no \(what) within \(timeout); read \(records.count) records: "
                    + records.suffix(10).map { "\($0.topic): \($0.text)" }.joined(separator: "\n"))
            }
            try await poll()
        }
    }

    /// Reads until a message of type `Message` of trace `trace` arrives and returns the first.
    func first<Message: TracedMessage>(_ type: Message.Type, trace: String,
                                       timeout: Duration = ServiceHarness.outputWait) async throws -> Message {
        try await read(until: "\(Message.self) of trace \(trace)", timeout: timeout) {
            try !$0.messages(type, trace: trace).isEmpty
        }
        return try messages(type, trace: trace)[0]
    }

    func close() async {
        await consumer.close()
    }
}

/// The messages the tests publish and read, keyed and matched by trace.
protocol TracedMessage: PipelineMessage {
    var traceID: String { get }
    var questionID: String { get }
}

extension QuestionMessage: TracedMessage {}
extension LLMRequest: TracedMessage {}
extension LLMResponse: TracedMessage {}
extension ErrorMessage: TracedMessage {}
extension RegenerationRequest: TracedMessage {}
extension ValidatedResponse: TracedMessage {}

struct HarnessTimeout: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Errors the runners reported (retried batches, failed commits), for failure messages.
final class ErrorLog: Sendable {
    private let lock = NSLock()
    nonisolated(unsafe) private var entries: [String] = []

    func append(_ entry: String) {
        lock.withLock { entries.append(entry) }
    }

    var all: [String] { lock.withLock { entries } }
}

final class Flag: Sendable {
    private let lock = NSLock()
    nonisolated(unsafe) private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// Test data: questions about one topic each, with a human best answer.
enum Samples {
    static func uniqueID(_ label: String) -> String {
        "\(label)-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
    }

    static let title = "How do I keep basil alive indoors?"
    static let content = "It wilts within a week on my kitchen windowsill."
    static let bestAnswer = "Give it at least six hours of sun, water when the top of the soil is dry, "
        + "and pinch off the flowers so the plant keeps making leaves."
    static let poorAnswer = "Bananas are a yellow tropical fruit, rich in potassium and easy to peel."

    static func question(_ questionID: String, trace: String = uniqueID("trace")) -> QuestionMessage {
        QuestionMessage(messageID: uniqueID("msg"), traceID: trace, questionID: questionID, title: title,
                        content: content, bestAnswer: bestAnswer, source: "generator",
                        createdAt: Timestamp.now().advanced(byMilliseconds: -250))
    }

    static var prompt: String { LLMCompletionRequest.prompt(title: title, content: content) }

    static func response(_ questionID: String, trace: String, attempts: Int, answer: String,
                         firstScore: Double? = nil, createdAt: Timestamp = .now()) -> LLMResponse {
        LLMResponse(traceID: trace, questionID: questionID, title: title, content: content, prompt: prompt,
                    llmAnswer: answer, bestAnswer: bestAnswer, latencyMs: 12.5, attempts: attempts,
                    createdAt: createdAt, firstScore: firstScore)
    }

    static func decision(_ questionID: String, trace: String = uniqueID("trace"), source: ValidatedResponse.Source = .score,
                         status: ValidatedResponse.Status = .accepted, answer: String = bestAnswer, score: Double = 0.82,
                         firstScore: Double? = nil, attempts: Int = 1, llmCalls: Int? = nil,
                         createdAt: Timestamp = Timestamp.now().advanced(byMilliseconds: -1_000)) -> ValidatedResponse {
        ValidatedResponse(messageID: ValidatedResponse.messageID(forTrace: trace), traceID: trace, questionID: questionID,
                          title: title, content: content, llmAnswer: answer, bestAnswer: bestAnswer, score: score,
                          accepted: status == .accepted, source: source, attempts: attempts, status: status,
                          firstScore: firstScore ?? score, createdAt: createdAt,
                          llmCalls: llmCalls ?? (source == .score ? attempts : 0))
    }
}

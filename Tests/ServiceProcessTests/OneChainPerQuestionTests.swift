import Foundation
import Dataset
import Kafka
import Runtime
import Storage
import Testing
import TestSupport
import VeredictoCore

/// Over Kafka with two instances of each service and four partitions per topic, every question
/// gets exactly one LLM chain however often and however fast it is asked: the cache instance that
/// owns a question's partition sees all its askings and its decision.
@Suite struct OneChainPerQuestionTests {
    @Test(.timeLimit(.minutes(4)))
    func twoCacheInstancesStartOneChainPerDistinctQuestion() async throws {
        let servers = try TestServers.addresses()
        var transport = KafkaTransport(bootstrapServers: [servers.kafka])
        transport.sessionTimeout = ServiceHarness.sessionTimeout
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let reader = try YahooCSVReader(path: root.appendingPathComponent("data/sample/yahoo_sample.csv").path)
        var questions: [YahooRow] = []
        while let row = try reader.next() { questions.append(row) }
        var settings = PipelineSettings()
        settings.batchSize = 200
        settings.cache.capacity = 10_000
        settings.cache.ttlSeconds = 0
        var run = PipelineRun(settings: settings, questions: questions, arrival: .constant(rate: 0),
                              popularity: try .zipf(count: questions.count, exponent: 1.1), total: 2_000)
        run.instances = 2
        run.drainTimeout = .seconds(120)
        let prefix = "one_chain_\(String(UInt64.random(in: 0...UInt64.max), radix: 36))_"
        let (prepared, kafka) = try await ExperimentBackend.kafka(transport, partitions: 4).prepare(run, prefix: prefix)
        let report = try await prepared.run(transport: kafka, store: InMemoryResultStore())
        #expect(report.completed)
        let metrics = report.metrics
        // One decision of the LLM path per distinct question (warm-up ones included). LLM calls
        // stay at-least-once: a rebalance while instances join can redeliver a batch of requests
        // to the other llm instance, so the calls made may exceed what the chains needed.
        #expect(metrics.bySource[.score, default: 0] + metrics.bySource[.failed, default: 0] == metrics.questions,
                "\(metrics.bySource) for \(metrics.questions) questions")
        // A second chain for a question would add a decision above instead; redeliveries stay rare.
        #expect(report.llm.callsMade >= report.llm.minimumCalls, "\(report.llm)")
        #expect(report.llm.callsMade <= report.llm.minimumCalls + report.llm.minimumCalls / 50, "\(report.llm)")
        // Over Kafka, librdkafka's threads are counted apart from the rest of the process.
        let librdkafka = try #require(report.librdkafkaCPUSeconds)
        #expect(librdkafka > 0)
        let rows = report.cpuMicrosecondsPerQuestionByStage.map(\.stage)
        #expect(rows.suffix(2) == [PipelineRun.Report.librdkafkaThreads, PipelineRun.Report.restOfTheProcess], "\(rows)")
    }
}

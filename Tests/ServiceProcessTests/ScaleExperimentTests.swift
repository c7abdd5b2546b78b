import Foundation
import Dataset
import Kafka
import Runtime
import Testing
import TestSupport

/// `veredicto experiment scale` against the test broker, in its smallest form: two partitions,
/// one then two instances of each consumer service, each configuration under topics of its own.
@Suite struct ScaleExperimentTests {
    @Test(.timeLimit(.minutes(4)))
    func eachConfigurationDecidesEveryQuestionOverItsOwnTopics() async throws {
        let servers = try TestServers.addresses()
        var transport = KafkaTransport(bootstrapServers: [servers.kafka])
        transport.sessionTimeout = ServiceHarness.sessionTimeout
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let reader = try YahooCSVReader(path: root.appendingPathComponent("data/sample/yahoo_sample.csv").path)
        var questions: [YahooRow] = []
        while let row = try reader.next() { questions.append(row) }
        var settings = PipelineSettings()
        settings.batchSize = 100
        var base = PipelineRun(settings: settings, questions: questions, arrival: .constant(rate: 0),
                               popularity: try .zipf(count: questions.count, exponent: 1.1), total: 300)
        base.drainTimeout = .seconds(90)
        let prefix = "exp_scale_test_\(String(UInt64.random(in: 0...UInt64.max), radix: 36))_"
        let points = try await ScaleExperiment.run(base, partitions: [2], instances: [1, 2],
                                                   backend: { .kafka(transport, partitions: $0) }, prefix: prefix)
        #expect(points.map(\.instances) == [1, 2])
        // Each configuration decided exactly its own questions: none of another run's leaked in.
        #expect(points.allSatisfy { $0.questions == 300 }, "\(points)")
        #expect(points.allSatisfy { $0.sustainedPerSecond > 0 && $0.p99 >= $0.p50 })
        let charts = ScaleExperiment.charts(points)
        #expect(charts[0].pointCount == 2)
        #expect(ScaleExperiment.parse(csv: ScaleExperiment.csv(points)) == points)
    }
}

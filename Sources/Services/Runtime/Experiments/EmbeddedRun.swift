import Foundation
import Generator
import Observability
import Storage
import Transport

/// One run of the pipeline with everything it needs to be written out: the run's report, the
/// stored result of every question asked, the latency distribution and the emitted traffic.
public struct EmbeddedRunOutcome: Sendable {
    public var report: PipelineRun.Report
    public var results: [StoredResult]
    public var latencyCDF: [(x: Double, y: Double)]
}

extension PipelineRun {
    /// Runs over the in-memory bus (bounded queues) and the in-memory store, or over the given
    /// transport and store, and collects the stored results of the questions it could ask.
    public func collect(transport: (any MessageTransport)? = nil, store: (any ResultStore)? = nil,
                        progressInterval: Duration = .milliseconds(500),
                        progress: @Sendable (Int) -> Void = { _ in },
                        onSent: @escaping @Sendable ([QuestionGenerator.Send]) -> Void = { _ in },
                        onError: @escaping @Sendable (String) -> Void = { _ in }) async throws -> EmbeddedRunOutcome {
        let bus = transport ?? InMemoryBus.pipeline(topics: settings.topics, partitions: 4)
        let resultStore = store ?? InMemoryResultStore()
        let latencies = LatencyRecorder()
        let report = try await run(transport: bus, store: resultStore, latencies: latencies, progressInterval: progressInterval,
                                   progress: progress, onSent: onSent, onError: onError)
        var results: [StoredResult] = []
        let ids = Array(Set(questionIDs))
        var start = 0
        while start < ids.count {
            let slice = Array(ids[start..<min(ids.count, start + 1000)])
            results += try await resultStore.results(for: slice).values
            start += 1000
        }
        results.sort { $0.decision.questionID.localizedStandardCompare($1.decision.questionID) == .orderedAscending }
        return EmbeddedRunOutcome(report: report, results: results, latencyCDF: latencies.cdf())
    }
}

import Foundation
import Testing

@testable import Runtime
@testable import Storage
@testable import Transport
@testable import VeredictoCore

/// Which consumer groups the services join.
@Suite struct ServiceGroupTests {
    /// The in-memory bus, recording the groups its consumers join.
    final class RecordingTransport: MessageTransport {
        let bus = InMemoryBus(partitions: 1)
        private let lock = NSLock()
        nonisolated(unsafe) private var joined: [String: [String]] = [:]

        var groups: [String: [String]] { lock.withLock { joined } }

        func makeConsumer(group: String, topics: [String]) async throws -> any MessageConsumer {
            lock.withLock { joined[group] = topics }
            return try await bus.makeConsumer(group: group, topics: topics)
        }

        func makeProducer() async throws -> any MessageProducer {
            try await bus.makeProducer()
        }
    }

    static func groups(prefix: String) async throws -> [String: [String]] {
        var settings = PipelineSettings()
        settings.topics = PipelineTopics(prefix: prefix)
        let transport = RecordingTransport()
        for service in PipelineService.allCases {
            _ = try await service.runners(settings: settings, transport: transport, store: InMemoryResultStore(),
                                          model: nil) { _ in }
        }
        return transport.groups
    }

    @Test func groupsAreTheStageNamesWithoutAPrefix() async throws {
        let groups = try await Self.groups(prefix: "")
        #expect(Set(groups.keys) == ["cache", "llm", "llm-retry", "score", "store"])
        #expect(groups["score"] == ["llm_responses"])
    }

    @Test func groupsCarryTheTopicPrefix() async throws {
        let groups = try await Self.groups(prefix: "exp1_")
        #expect(Set(groups.keys) == ["exp1_cache", "exp1_llm", "exp1_llm-retry", "exp1_score", "exp1_store"])
        #expect(groups["exp1_store"] == ["exp1_validated_responses"])
    }

    /// Each stage runs behind its own service type, whose `run` the optimizer compiles with a
    /// runner specialized for the stage; a bare `ServiceRunner<Stage>` would run generic code.
    @Test func everyStageRunsBehindTheServiceTypeOfItsStage() async throws {
        let transport = RecordingTransport()
        var types: [String: [String]] = [:]
        for service in PipelineService.allCases {
            let runners = try await service.runners(settings: PipelineSettings(), transport: transport,
                                                    store: InMemoryResultStore(), model: nil) { _ in }
            types[service.rawValue] = runners.map { String(describing: type(of: $0)) }
        }
        #expect(types == ["cache": ["CacheRunner"], "llm": ["LLMRunner", "LLMRetryRunner"], "score": ["ScoreRunner"],
                          "store": ["StoreRunner"]])
    }
}

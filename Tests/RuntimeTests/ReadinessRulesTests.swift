import Testing

@testable import Runtime
@testable import VeredictoCore

/// The rules behind `/health/ready` that need no server: what counts as stalled, and the
/// MongoDB URI the probe uses and shows.
@Suite struct ReadinessRulesTests {
    @Test func stalledOnlyWhenMessagesWaitAndThePositionStandsStill() {
        var detector = StallDetector(limit: .seconds(30))
        let start = ContinuousClock.now
        func update(_ lag: Int64, _ position: Int64, _ seconds: Int) -> Bool {
            detector.update(lag: lag, position: position, now: start + .seconds(seconds))
        }
        #expect(!update(10, 100, 0))
        #expect(!update(10, 100, 29))
        #expect(update(10, 100, 30))
        // Moving again: not stalled, and the clock starts over.
        #expect(!update(10, 101, 31))
        #expect(!update(10, 101, 60))
        #expect(update(10, 101, 61))
        // Idle (nothing waiting) is never stalled, however long.
        #expect(!update(0, 101, 200))
        #expect(!update(0, 101, 400))
    }

    @Test func theProbeURIHasAShortServerSelectionAndLogsNoPassword() {
        #expect(ServiceReadiness.withServerSelectionTimeout("mongodb://h:1", milliseconds: 2000)
            == "mongodb://h:1/?serverSelectionTimeoutMS=2000")
        #expect(ServiceReadiness.withServerSelectionTimeout("mongodb://h:1/db", milliseconds: 2000)
            == "mongodb://h:1/db?serverSelectionTimeoutMS=2000")
        #expect(ServiceReadiness.withServerSelectionTimeout("mongodb://h:1/?replicaSet=rs0&serverSelectionTimeoutMS=30000", milliseconds: 2000)
            == "mongodb://h:1/?replicaSet=rs0&serverSelectionTimeoutMS=2000")
        #expect(ServiceReadiness.redacted("mongodb://user:secret@h:1/?x=1") == "mongodb://***@h:1/?x=1")
        #expect(ServiceReadiness.redacted("mongodb://h:1/?x=a@b") == "mongodb://h:1/?x=a@b")
    }

    @Test func theMetricsAddressAndTheStallTimeComeFromTheEnvironment() throws {
        let defaults = try PipelineSettings(environment: [:])
        #expect(defaults.metricsHost == "0.0.0.0")
        #expect(defaults.stallTimeout == .seconds(60))
        let set = try PipelineSettings(environment: ["METRICS_HOST": "127.0.0.1", "READY_STALL_S": "5"])
        #expect(set.metricsHost == "127.0.0.1")
        #expect(set.stallTimeout == .seconds(5))
        #expect(throws: ConfigurationError.self) { try PipelineSettings(environment: ["READY_STALL_S": "0"]) }
    }
}

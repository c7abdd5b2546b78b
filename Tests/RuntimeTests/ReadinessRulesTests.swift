import Testing

@testable import Runtime

/// The rules behind `/health/ready` that need no server: what counts as stalled, and the
/// MongoDB URI the probe uses and shows.
@Suite struct ReadinessRulesTests {
    @Test func stalledOnlyWhenMessagesWaitAndThePositionStandsStill() {
        var detector = StallDetector(limit: .seconds(30))
        let start = ContinuousClock.now
        #expect(!detector.update(lag: 10, position: 100, now: start))
        #expect(!detector.update(lag: 10, position: 100, now: start + .seconds(29)))
        #expect(detector.update(lag: 10, position: 100, now: start + .seconds(30)))
        // Moving again: not stalled, and the clock starts over.
        #expect(!detector.update(lag: 10, position: 101, now: start + .seconds(31)))
        #expect(!detector.update(lag: 10, position: 101, now: start + .seconds(60)))
        #expect(detector.update(lag: 10, position: 101, now: start + .seconds(61)))
        // Idle (nothing waiting) is never stalled, however long.
        #expect(!detector.update(lag: 0, position: 101, now: start + .seconds(200)))
        #expect(!detector.update(lag: 0, position: 101, now: start + .seconds(400)))
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
}

import VeredictoCore

/// What `/health/live` and `/health/ready` answer: liveness is a heartbeat of the process's
/// own tasks, readiness the last result of each named dependency check (Kafka, MongoDB,
/// progress), each set by whoever probes that dependency.
///
/// Ready means every check registered passed at its last probe; with no check registered (the
/// generator, `veredicto run`) ready equals live.
public final class HealthState: Sendable {
    public struct Check: Sendable, Equatable {
        public var ok: Bool
        public var detail: String

        public init(ok: Bool, detail: String) {
            self.ok = ok
            self.detail = detail
        }
    }

    private struct State: Sendable {
        var checks: [String: Check] = [:]
        var heartbeat: ContinuousClock.Instant?
    }

    private let state = LockedValue(State())
    /// A heartbeat older than this makes the process not live (its tasks no longer run).
    public let heartbeatLimit: Duration

    public init(heartbeatLimit: Duration = .seconds(15)) {
        self.heartbeatLimit = heartbeatLimit
    }

    /// Records the result of the check `name` (e.g. "kafka", "mongodb", "progress").
    public func set(_ name: String, ok: Bool, detail: String) {
        state.withLock { $0.checks[name] = Check(ok: ok, detail: detail) }
    }

    /// Called regularly by a task of the process; once called, liveness needs it to go on.
    public func beat() {
        state.withLock { $0.heartbeat = .now }
    }

    /// Whether the process is responsive, and one line saying so.
    public func live(now: ContinuousClock.Instant = .now) -> (ok: Bool, text: String) {
        let heartbeat = state.withLock { $0.heartbeat }
        guard let heartbeat else { return (true, "live\n") }
        let age = now - heartbeat
        if age > heartbeatLimit {
            return (false, "not live: no heartbeat of the service's tasks for \(age.inSeconds.rounded()) s\n")
        }
        return (true, "live\n")
    }

    /// Whether every check passed at its last probe, with one line per check
    /// (`ok kafka: ...` or `FAIL mongodb: ...`), sorted by name.
    public func ready(now: ContinuousClock.Instant = .now) -> (ok: Bool, text: String) {
        let live = self.live(now: now)
        let checks = state.withLock { $0.checks }
        var ok = live.ok
        var lines = live.ok ? [] : [live.text.trimmingSuffix("\n")]
        for name in checks.keys.sorted() {
            let check = checks[name]!
            ok = ok && check.ok
            lines.append("\(check.ok ? "ok" : "FAIL") \(name): \(check.detail)")
        }
        return (ok, (ok ? "ready\n" : "not ready\n") + lines.map { $0 + "\n" }.joined())
    }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

import Observability
import VeredictoCore

/// Runs a probe of a dependency (a broker, a database) with a deadline: `check()` starts the
/// probe unless one is still running and waits for it at most `timeout` from its start. A
/// probe that hangs (a call blocked on a dead server) is reported as failed at once on every
/// later check, and never runs twice at a time.
final class DependencyProbe: Sendable {
    private struct State: Sendable {
        var started: ContinuousClock.Instant?
        var finished: HealthState.Check?
    }

    private let timeout: Duration
    private let probe: @Sendable () async -> HealthState.Check
    private let state = LockedValue(State())

    init(timeout: Duration, probe: @escaping @Sendable () async -> HealthState.Check) {
        self.timeout = timeout
        self.probe = probe
    }

    func check() async -> HealthState.Check {
        let now = ContinuousClock.now
        let started: ContinuousClock.Instant = state.withLock { state in
            if let started = state.started { return started }
            state.started = now
            state.finished = nil
            return now
        }
        if started == now {
            let probe = self.probe
            Task { [state] in
                let outcome = await probe()
                state.withLock { state in
                    state.started = nil
                    state.finished = outcome
                }
            }
        }
        let deadline = started + timeout
        while true {
            if let finished = state.withLock({ $0.started == nil ? $0.finished : nil }) { return finished }
            if ContinuousClock.now >= deadline {
                let waited = (ContinuousClock.now - started).inSeconds.rounded()
                return HealthState.Check(ok: false, detail: "no answer for \(Int(waited)) s")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

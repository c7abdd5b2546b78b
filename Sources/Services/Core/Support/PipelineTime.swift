#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The time the pipeline's code reads and waits on: the wall clock, or a `VirtualClock` bound to
/// the current task.
///
/// A simulated run binds a virtual clock around each call into a stage (`withClock`): inside,
/// `Timestamp.now()` reads the virtual time, `sleep(for:)` moves it forward at once instead of
/// waiting, and `unitRandom()` draws from the clock's seeded stream instead of the system
/// generator. So the same stage code that runs live is stepped in event order on a virtual
/// timeline, and every run with the same seed is the same, whatever the machine or its load.
public enum PipelineTime {
    @TaskLocal public static var virtual: VirtualClock?

    /// Microseconds since 1970-01-01T00:00:00Z: the virtual time when one is bound, else the
    /// wall clock.
    public static func nowMicroseconds() -> Int64 {
        if let virtual { return virtual.microseconds }
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1000
    }

    /// Waits `duration`: on the virtual clock, moves it forward and returns at once.
    public static func sleep(for duration: Duration) async throws {
        if let virtual {
            virtual.advance(byMicroseconds: duration.wholeMicroseconds)
        } else {
            try await Task.sleep(for: duration)
        }
    }

    /// Uniform in [0, 1): from the virtual clock's seeded stream when one is bound (so jitter is
    /// reproducible), else from the system generator.
    public static func unitRandom() -> Double {
        if let virtual { return virtual.unitRandom() }
        return Double.random(in: 0..<1)
    }

    /// Runs `body` with `clock` as the time of everything it calls (child tasks included).
    public static func withClock<Result: Sendable>(_ clock: VirtualClock, _ body: () async throws -> Result) async rethrows -> Result {
        try await $virtual.withValue(clock, operation: body)
    }
}

/// A clock that moves only when told: the time of one step of a simulated run, in microseconds
/// since the epoch, with its own random stream for backoff jitter.
public final class VirtualClock: Sendable {
    private struct State: Sendable {
        var microseconds: Int64
        var random: SplitMix64
    }
    private let state: LockedValue<State>

    public init(microseconds: Int64, seed: UInt64) {
        state = LockedValue(State(microseconds: microseconds, random: SplitMix64(seed: seed)))
    }

    public var microseconds: Int64 { state.withLock { $0.microseconds } }

    /// Moves the time forward (never back).
    public func advance(byMicroseconds delta: Int64) {
        guard delta > 0 else { return }
        state.withLock { $0.microseconds += delta }
    }

    /// Moves the time to `instant` if that is later.
    public func advance(to instant: Int64) {
        state.withLock { $0.microseconds = max($0.microseconds, instant) }
    }

    public func unitRandom() -> Double { state.withLock { $0.random.unit() } }
}

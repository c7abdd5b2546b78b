/// Timing helpers: run a body repeatedly for at least a minimum time and report the best
/// rate of several rounds (the least disturbed by other work on a shared machine).
enum Measure {
    static let clock = ContinuousClock()

    /// Seconds taken by `body`.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = clock.now
        try body()
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Best rate, in units per second, of `rounds` rounds, each repeating `body` (which
    /// processes `units` units) for at least `minimumSeconds`.
    static func bestRate(units: Double, rounds: Int = 3, minimumSeconds: Double = 0.3, _ body: () -> Void) -> Double {
        roundRates(units: units, rounds: rounds, minimumSeconds: minimumSeconds, body).max() ?? 0
    }

    /// The rate of each round, in units per second (for a figure printed with its spread).
    /// Each call of `body` is timed by `now` (seconds): the wall clock unless told otherwise.
    static func roundRates(units: Double, rounds: Int = 3, minimumSeconds: Double = 0.3,
                           now: () -> Double = wallSeconds, _ body: () -> Void) -> [Double] {
        (0..<rounds).map { _ in
            var repetitions = 0
            var elapsed = 0.0
            while elapsed < minimumSeconds {
                let start = now()
                body()
                elapsed += now() - start
                repetitions += 1
            }
            return units * Double(repetitions) / elapsed
        }
    }

    private static let origin = clock.now

    /// Seconds on the monotonic clock since this type was first used.
    static func wallSeconds() -> Double {
        let elapsed = clock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

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
        var best = 0.0
        for _ in 0..<rounds {
            var repetitions = 0
            var elapsed = 0.0
            while elapsed < minimumSeconds {
                elapsed += seconds(body)
                repetitions += 1
            }
            best = max(best, units * Double(repetitions) / elapsed)
        }
        return best
    }
}

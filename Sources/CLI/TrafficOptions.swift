import ArgumentParser
import Generator

/// How many questions are asked, how they arrive and which are popular: the flags of every
/// command that generates traffic (`run`, the experiments, `serve generator`), with one set of
/// defaults (5,000 questions, as fast as possible, Zipf 1.1, seed 42).
struct TrafficOptions: ParsableArguments {
    @Option(name: .long, help: "Questions to ask.")
    var total: Int = 5000

    @Option(name: .long, help: "Arrival process: poisson, uniform or constant (default: as fast as possible).")
    var distribution: Distribution?

    @Option(name: .long, help: "Poisson rate, questions per second.")
    var lambda: Double = 1000

    @Option(name: .long, help: "Uniform gaps: shortest, seconds.")
    var low: Double = 0.0005

    @Option(name: .long, help: "Uniform gaps: longest, seconds.")
    var high: Double = 0.0015

    @Option(name: .long, help: "Constant rate, questions per second (0 or absent = as fast as possible).")
    var rate: Double?

    @Option(name: .long, help: "Zipf popularity exponent; 0 = uniform popularity.")
    var zipf: Double = 1.1

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 42

    @Option(name: .customLong("max-questions"), help: "Read at most this many questions from the dataset.")
    var maxQuestions: Int = 1_000_000

    enum Distribution: String, ExpressibleByArgument, CaseIterable {
        case poisson, uniform, constant
    }

    /// The arrival process of the flags: `--rate` wins, then `--distribution` (absent, or
    /// constant without a rate: as fast as possible).
    var arrival: ArrivalProcess {
        if let rate { return .constant(rate: rate) }
        switch distribution {
        case .poisson: return .poisson(lambda: lambda)
        case .uniform: return .uniform(low: low, high: high)
        case .constant, nil: return .constant(rate: 0)
        }
    }

    /// Zipf popularity over `count` questions, uniform when `--zipf` is 0.
    func popularity(count: Int) throws -> Popularity {
        zipf > 0 ? try Popularity.zipf(count: count, exponent: zipf) : .uniform(count: count)
    }

    func validate() throws {
        guard total > 0 else { throw ValidationError("--total must be positive, got \(total)") }
        guard zipf >= 0, zipf.isFinite else { throw ValidationError("--zipf must be 0 (uniform) or positive, got \(zipf)") }
        guard maxQuestions > 0 else { throw ValidationError("--max-questions must be positive, got \(maxQuestions)") }
    }
}

import Testing

@testable import Generator
@testable import VeredictoCore

@Suite struct GeneratorTests {
    @Test func arrivalProcessesHaveTheirMeanRates() throws {
        var random = SplitMix64(seed: 3)
        for process in [ArrivalProcess.poisson(lambda: 200), .uniform(low: 0.001, high: 0.009), .constant(rate: 50)] {
            let gaps = (0..<20_000).map { _ in process.nextGap(&random) }
            let rate = Double(gaps.count) / gaps.reduce(0, +)
            #expect(abs(rate - process.meanRate) / process.meanRate < 0.05, "\(process): \(rate)")
        }
        #expect(ArrivalProcess.constant(rate: 0).nextGap(&random) == 0)
        // Poisson gaps are exponential: their coefficient of variation is about 1.
        let gaps = (0..<20_000).map { _ in ArrivalProcess.poisson(lambda: 10).nextGap(&random) }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let deviation = (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)).squareRoot()
        #expect(abs(deviation / mean - 1) < 0.05)
    }

    @Test func invalidParametersSayWhatToFix() {
        #expect(throws: ConfigurationError.self) { try ArrivalProcess.poisson(lambda: 0).validated() }
        #expect(throws: ConfigurationError.self) { try ArrivalProcess.uniform(low: 2, high: 1).validated() }
        let error = #expect(throws: ConfigurationError.self) { try ArrivalProcess.constant(rate: -1).validated() }
        #expect(error?.description == "--rate must be >= 0 (0 = as fast as possible), got -1.0")
        #expect(throws: ConfigurationError.self) { try Popularity.zipf(count: 10, exponent: 0) }
    }

    @Test func zipfFavoursTheFirstRanks() throws {
        var random = SplitMix64(seed: 5)
        let zipf = try Popularity.zipf(count: 1000, exponent: 1.1)
        var counts = [Int](repeating: 0, count: 1000)
        for _ in 0..<100_000 { counts[zipf.next(&random)] += 1 }
        // P(rank 1) / P(rank 2) = 2^1.1 = 2.14.
        #expect(abs(Double(counts[0]) / Double(counts[1]) - 2.14) < 0.2)
        #expect(counts[0] > counts[10] && counts[10] > counts[500])
        let uniform = Popularity.uniform(count: 1000)
        var seen = Set<Int>()
        for _ in 0..<20_000 { seen.insert(uniform.next(&random)) }
        #expect(seen.count == 1000)
    }
}

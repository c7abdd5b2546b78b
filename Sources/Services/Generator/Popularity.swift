#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VeredictoCore

/// Which question is asked next: uniform over the questions, or Zipf-distributed so that a
/// few questions are asked often and exercise the cache.
public struct Popularity: Sendable {
    public let count: Int
    public let zipfExponent: Double?
    private let cumulative: [Double]  // Zipf only: P(rank <= i)

    /// Uniform popularity over `count` questions.
    public static func uniform(count: Int) -> Popularity {
        Popularity(count: count, zipfExponent: nil, cumulative: [])
    }

    /// Zipf popularity with exponent `s` > 0: question of rank r is asked with probability
    /// proportional to 1 / r^s (rank 1 = the first question of the set).
    public static func zipf(count: Int, exponent s: Double) throws -> Popularity {
        guard s > 0, s.isFinite else { throw ConfigurationError("--zipf must be a positive exponent (e.g. 1.1), got \(s)") }
        var cumulative = [Double]()
        cumulative.reserveCapacity(count)
        var total = 0.0
        for rank in 1...max(count, 1) {
            total += 1 / pow(Double(rank), s)
            cumulative.append(total)
        }
        return Popularity(count: count, zipfExponent: s, cumulative: cumulative.map { $0 / total })
    }

    private init(count: Int, zipfExponent: Double?, cumulative: [Double]) {
        self.count = count
        self.zipfExponent = zipfExponent
        self.cumulative = cumulative
    }

    /// The index of the next question asked, in 0..<count.
    public func next(_ random: inout SplitMix64) -> Int {
        guard zipfExponent != nil else { return Int(random.next() % UInt64(count)) }
        let u = random.unit()
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

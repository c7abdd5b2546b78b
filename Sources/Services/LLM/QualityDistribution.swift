#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VeredictoCore

/// The offline model's answer quality: a Beta(`mean * concentration`, `(1 - mean) * concentration`)
/// variable in [0, 1], so its mean is `mean` and a larger `concentration` draws closer to it.
///
/// A mean of 0 or 1 draws that value every time.
public struct QualityDistribution: Equatable, Sendable {
    public let mean: Double
    public let concentration: Double

    public init(mean: Double, concentration: Double = 4) {
        precondition((0...1).contains(mean), "quality mean must be in [0, 1]")
        precondition(concentration > 0, "concentration must be positive")
        self.mean = mean
        self.concentration = concentration
    }

    /// One quality drawn with `random`.
    public func sample(using random: inout SplitMix64) -> Double {
        if mean <= 0 { return 0 }
        if mean >= 1 { return 1 }
        let x = Self.gamma(shape: mean * concentration, using: &random)
        let y = Self.gamma(shape: (1 - mean) * concentration, using: &random)
        let sum = x + y
        return sum > 0 ? x / sum : mean
    }

    /// A Gamma(`shape`, 1) variable: Marsaglia and Tsang's squeeze method for shape >= 1, and
    /// `Gamma(shape + 1) * U^(1/shape)` below 1.
    static func gamma(shape: Double, using random: inout SplitMix64) -> Double {
        if shape < 1 {
            let u = max(random.unit(), 0x1.0p-53)
            return gamma(shape: shape + 1, using: &random) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = random.normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = random.unit()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if log(max(u, 0x1.0p-53)) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }
}

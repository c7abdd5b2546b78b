/// The mean of one measure over repeated runs (one per seed) and its 95 % confidence interval,
/// from Student's t distribution with n - 1 degrees of freedom: with 5 runs the half-width is
/// 2.776 standard errors, not 1.96.
public struct Spread: Sendable, Equatable {
    public var mean: Double
    /// Half the width of the 95 % interval; 0 with fewer than two runs (no interval).
    public var halfWidth: Double
    public var count: Int

    public init(mean: Double, halfWidth: Double, count: Int) {
        self.mean = mean
        self.halfWidth = halfWidth
        self.count = count
    }

    public init(_ values: [Double]) {
        count = values.count
        guard !values.isEmpty else {
            mean = 0
            halfWidth = 0
            return
        }
        var sum = 0.0
        for value in values { sum += value }
        mean = sum / Double(values.count)
        guard values.count > 1 else {
            halfWidth = 0
            return
        }
        var squares = 0.0
        for value in values { squares += (value - mean) * (value - mean) }
        let standardError = (squares / Double(values.count - 1) / Double(values.count)).squareRoot()
        halfWidth = Self.studentT95(degreesOfFreedom: values.count - 1) * standardError
    }

    public var lower: Double { mean - halfWidth }
    public var upper: Double { mean + halfWidth }

    /// Whether this interval lies wholly above `other`'s (both need two runs or more).
    public func isSeparated(above other: Spread) -> Bool {
        count > 1 && other.count > 1 && lower > other.upper
    }

    /// The two-sided 95 % quantile of Student's t distribution.
    public static func studentT95(degreesOfFreedom df: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        if df < 1 { return .infinity }
        if df <= table.count { return table[df - 1] }
        // Beyond the table, the value at the bracket's lower end: never narrower than the truth.
        if df <= 40 { return 2.042 }
        if df <= 60 { return 2.021 }
        if df <= 120 { return 2.000 }
        if df <= 1000 { return 1.980 }
        return 1.960
    }
}

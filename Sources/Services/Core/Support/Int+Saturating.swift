extension Int {
    /// `self + other`, held at `Int.max` or `Int.min` instead of trapping: for sums and
    /// increments of values that came from outside the process.
    @inlinable
    public func saturatingAdd(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other < 0 ? .min : .max) : sum
    }

    /// Adds in place, saturating (see `saturatingAdd`).
    @inlinable
    public mutating func saturatingIncrement(by other: Int) {
        self = saturatingAdd(other)
    }
}

/// The one place where a `Duration` becomes a plain number: Swift keeps it as whole seconds
/// plus attoseconds, and settings, messages, librdkafka and reports want seconds or
/// milliseconds.
extension Duration {
    /// The duration in seconds, with its fraction.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    /// The duration in milliseconds, with its fraction.
    public var inMilliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) * 1e-15
    }

    /// Whole milliseconds, rounded down, saturating at the bounds of Int64 instead of trapping.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return sumOverflow ? (scaled < 0 ? .min : .max) : sum
    }

    /// Whole microseconds, rounded down, saturating at the bounds of Int64 instead of trapping.
    public var wholeMicroseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000)
        return sumOverflow ? (scaled < 0 ? .min : .max) : sum
    }
}

/// A configuration value that cannot be used: unknown, malformed, out of range, or at odds with
/// another. Its description is one line that says what to fix, so a command can print it and exit.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    /// "`variable` must be `expectation` (got '`value`')", e.g.
    /// `CACHE_POLICY must be one of lru, lfu, fifo (got 'mru')`.
    public init(variable: String, expectation: String, value: String) {
        self.init("\(variable) must be \(expectation) (got '\(value)')")
    }
}

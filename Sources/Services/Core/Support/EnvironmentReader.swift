/// Reads typed settings from environment variables (a dictionary, so tests pass their own).
///
/// A variable that is absent, empty or only blanks takes its default; any other value must parse
/// and be in range, or the read throws a one-line `ConfigurationError`.
package struct EnvironmentReader {
    package let values: [String: String]

    package init(_ values: [String: String]) {
        self.values = values
    }

    /// The trimmed value of `name`, or `nil` when it is absent or blank.
    package func raw(_ name: String) -> String? {
        guard let value = values[name] else { return nil }
        let trimmed = value.trimmingBlanks()
        return trimmed.isEmpty ? nil : trimmed
    }

    package func string(_ name: String, default defaultValue: String) -> String {
        raw(name) ?? defaultValue
    }

    package func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = raw(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(variable: name, expectation: Self.describe(range), value: text)
        }
        return value
    }

    package func number(_ name: String, default defaultValue: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let text = raw(name) else { return defaultValue }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw ConfigurationError(variable: name, expectation: Self.describe(range), value: text)
        }
        return value
    }

    package func unsigned(_ name: String, default defaultValue: UInt64) throws -> UInt64 {
        guard let text = raw(name) else { return defaultValue }
        guard let value = UInt64(text) else {
            throw ConfigurationError(variable: name, expectation: "a whole number from 0 to \(UInt64.max)", value: text)
        }
        return value
    }

    /// One of the cases of `T`, matched case-insensitively against the raw values.
    package func choice<T: RawRepresentable & CaseIterable>(_ name: String, default defaultValue: T) throws -> T
    where T.RawValue == String {
        guard let text = raw(name) else { return defaultValue }
        return try Self.choice(text, variable: name)
    }

    package static func choice<T: RawRepresentable & CaseIterable>(_ text: String, variable: String) throws -> T
    where T.RawValue == String {
        let lowered = text.trimmingBlanks().lowercased()
        if let value = T.allCases.first(where: { $0.rawValue == lowered }) { return value }
        let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
        throw ConfigurationError(variable: variable, expectation: "one of \(allowed)", value: text)
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "a whole number >= \(range.lowerBound)"
            : "a whole number from \(range.lowerBound) to \(range.upperBound)"
    }

    private static func describe(_ range: ClosedRange<Double>) -> String {
        range.upperBound == .greatestFiniteMagnitude ? "a number >= \(format(range.lowerBound))"
            : "a number from \(format(range.lowerBound)) to \(format(range.upperBound))"
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    package func trimmingBlanks() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

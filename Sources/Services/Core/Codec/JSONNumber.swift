/// Reads the raw bytes of a JSON number (as `JSONScanner` returns them) without Foundation.
enum JSONNumber {
    /// An integral value: `3`, also `3.0` or `3e2`; nil when fractional or out of range.
    static func integer(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
        // Fast path: an optional minus and plain digits.
        var i = 0
        let negative = raw.first == UInt8(ascii: "-")
        if negative { i = 1 }
        var magnitude: UInt64 = 0
        var plain = i < raw.count
        while i < raw.count {
            let digit = raw[i] &- UInt8(ascii: "0")
            guard digit < 10 else {
                plain = false
                break
            }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            if overflow1 || overflow2 { return nil }
            magnitude = sum
            i += 1
        }
        if plain {
            if negative {
                return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
            }
            return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
        }
        // A fraction or an exponent: integral only if the value is.
        guard let value = double(raw), value.rounded(.towardZero) == value,
              value >= -9.223_372_036_854_775_808e18, value < 9.223_372_036_854_775_808e18
        else { return nil }
        return Int64(value)
    }

    /// Exact powers of ten representable in a double.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The correctly rounded double. Numbers with at most 19 digits whose mantissa and power of
    /// ten are both exact doubles (scores, latencies) take Clinger's fast path, a single
    /// correctly rounded multiplication or division; the rest go through the standard library.
    static func double(_ raw: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        let count = raw.count
        let negative = count > 0 && raw[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        var mantissa: UInt64 = 0
        var digitCount = 0
        var exponent = 0
        var sawDigit = false
        while i < count, raw[i] &- UInt8(ascii: "0") < 10 {
            mantissa = mantissa &* 10 &+ UInt64(raw[i] &- UInt8(ascii: "0"))
            digitCount += 1
            sawDigit = true
            i += 1
        }
        guard sawDigit else { return nil }
        if i < count, raw[i] == UInt8(ascii: ".") {
            i += 1
            sawDigit = false
            while i < count, raw[i] &- UInt8(ascii: "0") < 10 {
                mantissa = mantissa &* 10 &+ UInt64(raw[i] &- UInt8(ascii: "0"))
                digitCount += 1
                exponent -= 1
                sawDigit = true
                i += 1
            }
        }
        if i < count, raw[i] == UInt8(ascii: "e") || raw[i] == UInt8(ascii: "E") {
            i += 1
            var exponentNegative = false
            if i < count, raw[i] == UInt8(ascii: "+") || raw[i] == UInt8(ascii: "-") {
                exponentNegative = raw[i] == UInt8(ascii: "-")
                i += 1
            }
            var value = 0
            let start = i
            while i < count, raw[i] &- UInt8(ascii: "0") < 10 {
                if value < 100_000 { value = value * 10 + Int(raw[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            guard i > start else { return nil }
            exponent += exponentNegative ? -value : value
        }
        guard sawDigit, i == count else { return nil }
        if digitCount <= 19, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
            return negative ? -value : value
        }
        guard let value = Double(String(decoding: raw, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }
}

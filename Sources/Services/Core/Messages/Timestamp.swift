#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant with microsecond precision: microseconds since 1970-01-01T00:00:00Z.
///
/// Messages carry it as an ISO-8601 UTC string with six fractional digits
/// (`2026-11-25T13:50:00.123456Z`); the millisecond forms of earlier versions
/// (`2026-11-25T13:50:00.123Z`) and any other number of digits still parse. Formatting and
/// parsing are hand-written calendar arithmetic (Howard Hinnant's days-from-civil algorithms):
/// a timestamp crosses every topic, and Foundation's formatters cost microseconds each.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// An instant on a whole millisecond (saturating at the bounds of Int64 microseconds).
    public init(millisecondsSinceEpoch: Int64) {
        let (value, overflow) = millisecondsSinceEpoch.multipliedReportingOverflow(by: 1000)
        microsecondsSinceEpoch = overflow ? (millisecondsSinceEpoch < 0 ? .min : .max) : value
    }

    /// Whole milliseconds since the epoch, rounded down.
    public var millisecondsSinceEpoch: Int64 {
        get { Self.floorDivide(microsecondsSinceEpoch, 1000).quotient }
        set { self = Timestamp(millisecondsSinceEpoch: newValue) }
    }

    /// The current time: the wall clock, or the virtual clock of a simulated run (`PipelineTime`).
    public static func now() -> Timestamp {
        Timestamp(microsecondsSinceEpoch: PipelineTime.nowMicroseconds())
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// Microseconds from `earlier` to this instant (negative when `earlier` is later),
    /// saturating at the bounds of Int64 instead of trapping or wrapping.
    public func microseconds(since earlier: Timestamp) -> Int64 {
        let (difference, overflow) = microsecondsSinceEpoch.subtractingReportingOverflow(earlier.microsecondsSinceEpoch)
        return overflow ? (earlier.microsecondsSinceEpoch < 0 ? .max : .min) : difference
    }

    /// Milliseconds from `earlier` to this instant (negative when `earlier` is later),
    /// saturating at the bounds of Int64 instead of trapping.
    public func milliseconds(since earlier: Timestamp) -> Int64 {
        Self.floorDivide(microseconds(since: earlier), 1000).quotient
    }

    /// Saturating at the bounds of Int64 instead of trapping.
    public func advanced(byMilliseconds delta: Int64) -> Timestamp {
        advanced(byMicroseconds: delta.multipliedReportingOverflow(by: 1000).overflow ? (delta < 0 ? .min : .max) : delta * 1000)
    }

    public func advanced(byMicroseconds delta: Int64) -> Timestamp {
        let (sum, overflow) = microsecondsSinceEpoch.addingReportingOverflow(delta)
        return Timestamp(microsecondsSinceEpoch: overflow ? (delta < 0 ? .min : .max) : sum)
    }

    public var description: String { iso8601 }

    // MARK: - formatting

    /// Longest form: sign, nine year digits, `-MM-DDTHH:MM:SS.uuuuuuZ`.
    package static let maximumFormattedLength = 33

    /// `YYYY-MM-DDTHH:MM:SS.uuuuuuZ` in UTC. Years outside 0...9999 use ISO 8601's expanded form
    /// (a sign and at least six digits).
    public var iso8601: String {
        String(unsafeUninitializedCapacity: Self.maximumFormattedLength) { buffer in
            format(into: buffer.baseAddress!)
        }
    }

    /// Writes the ISO-8601 form at `output` (room for `maximumFormattedLength` bytes) and
    /// returns its length.
    package func format(into output: UnsafeMutablePointer<UInt8>) -> Int {
        let (days, microsecondOfDay) = Self.floorDivide(microsecondsSinceEpoch, 86_400_000_000)
        let (year, month, day) = Self.civil(fromDays: days)
        var p = output
        @inline(__always) func put(_ byte: UInt8) {
            p.pointee = byte
            p += 1
        }
        @inline(__always) func two(_ value: Int64) {
            put(UInt8(truncatingIfNeeded: 0x30 + value / 10))
            put(UInt8(truncatingIfNeeded: 0x30 + value % 10))
        }
        if year >= 0 && year <= 9999 {
            two(year / 100)
            two(year % 100)
        } else {
            put(year < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            var digits = year.magnitude
            var reversed: [UInt8] = []
            while digits > 0 || reversed.count < 6 {
                reversed.append(UInt8(truncatingIfNeeded: 0x30 + digits % 10))
                digits /= 10
            }
            for digit in reversed.reversed() { put(digit) }
        }
        put(UInt8(ascii: "-"))
        two(month)
        put(UInt8(ascii: "-"))
        two(day)
        put(UInt8(ascii: "T"))
        let seconds = microsecondOfDay / 1_000_000
        two(seconds / 3600)
        put(UInt8(ascii: ":"))
        two(seconds / 60 % 60)
        put(UInt8(ascii: ":"))
        two(seconds % 60)
        put(UInt8(ascii: "."))
        let microsecond = microsecondOfDay % 1_000_000
        two(microsecond / 10_000)
        two(microsecond / 100 % 100)
        two(microsecond % 100)
        put(UInt8(ascii: "Z"))
        return p - output
    }

    // MARK: - parsing

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. The separator may also be `t` or a
    /// space (RFC 3339), the fraction has any number of digits (truncated to microseconds), and
    /// a non-zero offset is converted to UTC. Returns nil for anything else, including an
    /// impossible date or a time without a zone.
    public init?(iso8601 text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Timestamp(iso8601: $0) }) else { return nil }
        self = parsed
    }

    public init?(iso8601 bytes: UnsafeBufferPointer<UInt8>) {
        var i = 0
        let n = bytes.count
        @inline(__always) func digits(_ count: Int) -> Int64? {
            guard i + count <= n else { return nil }
            var value: Int64 = 0
            for k in i..<(i + count) {
                let digit = bytes[k] &- 0x30
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            i += count
            return value
        }
        @inline(__always) func expect(_ byte: UInt8) -> Bool {
            guard i < n, bytes[i] == byte else { return false }
            i += 1
            return true
        }

        // Year: four digits, or a sign and six to nine digits.
        var year: Int64
        if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            let negative = bytes[i] == UInt8(ascii: "-")
            i += 1
            var count = 0
            while i + count < n, bytes[i + count] &- 0x30 < 10 { count += 1 }
            guard count >= 6, count <= 9, let magnitude = digits(count) else { return nil }
            year = negative ? -magnitude : magnitude
        } else {
            guard let value = digits(4) else { return nil }
            year = value
        }
        guard expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")), let day = digits(2),
              month >= 1, month <= 12, day >= 1, day <= Self.daysInMonth(year: year, month: month)
        else { return nil }
        guard i < n, bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: "t") || bytes[i] == UInt8(ascii: " ")
        else { return nil }
        i += 1
        guard let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2), expect(UInt8(ascii: ":")),
              let second = digits(2), hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var microsecond: Int64 = 0
        if expect(UInt8(ascii: ".")) {
            let start = i
            while i < n, bytes[i] &- 0x30 < 10 {
                if i - start < 6 { microsecond = microsecond * 10 + Int64(bytes[i] &- 0x30) }
                i += 1
            }
            let count = i - start
            guard count > 0 else { return nil }
            for _ in count..<max(count, 6) { microsecond *= 10 }
        }
        var offsetMinutes: Int64 = 0
        guard i < n else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = bytes[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let offsetHour = digits(2), expect(UInt8(ascii: ":")), let offsetMinute = digits(2),
                  offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetMinutes = sign * (offsetHour * 60 + offsetMinute)
        default:
            return nil
        }
        guard i == n else { return nil }

        let days = Self.days(fromCivilYear: year, month: month, day: day)
        let seconds = (hour * 60 + minute - offsetMinutes) * 60 + second
        let (dayMicroseconds, overflow1) = days.multipliedReportingOverflow(by: 86_400_000_000)
        let (total, overflow2) = dayMicroseconds.addingReportingOverflow(seconds * 1_000_000 + microsecond)
        guard !overflow1, !overflow2 else { return nil }
        microsecondsSinceEpoch = total
    }

    // MARK: - calendar arithmetic (proleptic Gregorian)

    @inline(__always)
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a civil date.
    static func days(fromCivilYear year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a count of days since 1970-01-01.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension JSONWriter {
    /// A timestamp as an ISO-8601 UTC string.
    public mutating func field(_ name: StaticString, _ value: Timestamp) {
        key(name)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Timestamp.maximumFormattedLength + 2) { buffer in
            let base = buffer.baseAddress!
            base.pointee = UInt8(ascii: "\"")
            let length = value.format(into: base + 1)
            base[length + 1] = UInt8(ascii: "\"")
            appendRaw(UnsafeBufferPointer(start: base, count: length + 2))
        }
    }
}

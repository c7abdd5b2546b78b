import Foundation

/// Reads the wait a rate-limited server asks for (RFC 9110 `Retry-After`, and the
/// `retry-after-ms` header of some OpenAI-compatible servers).
public enum RetryAfter {
    /// The wait that a `Retry-After` value asks for: delay-seconds (`120`, a fraction accepted) or
    /// an HTTP-date (IMF-fixdate, RFC 850 or asctime form), measured from `now` and never negative.
    /// `nil` when the value is neither.
    public static func delay(_ value: String, now: Date = Date()) -> Duration? {
        let text = value.trimmingBlanks()
        if let seconds = Double(text) {
            guard seconds.isFinite, seconds >= 0 else { return nil }
            return .milliseconds((seconds * 1000).rounded())
        }
        guard let date = httpDate(text) else { return nil }
        let seconds = max(0, date.timeIntervalSince(now))
        return .milliseconds((seconds * 1000).rounded())
    }

    /// The wait a `retry-after-ms` value asks for, or `nil` when it is not a number >= 0.
    public static func delay(milliseconds value: String) -> Duration? {
        guard let milliseconds = Double(value.trimmingBlanks()), milliseconds.isFinite, milliseconds >= 0 else {
            return nil
        }
        return .milliseconds(milliseconds.rounded())
    }

    /// The instant an HTTP-date names, or `nil`. Accepts the three forms of RFC 9110 5.6.7:
    /// `Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT`, `Sun Nov  6 08:49:37 1994`.
    public static func httpDate(_ text: String) -> Date? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
        let day: Int?, month: Int?, year: Int?, time: String
        switch fields.count {
        case 6:  // IMF-fixdate or RFC 850: weekday, day, month, year, time, GMT
            guard fields[5] == "GMT" || fields[5] == "UTC" else { return nil }
            day = Int(fields[1])
            month = monthNumber(fields[2])
            if fields[3].count == 2, let short = Int(fields[3]) {
                year = short < 70 ? 2000 + short : 1900 + short
            } else {
                year = fields[3].count == 4 ? Int(fields[3]) : nil
            }
            time = fields[4]
        case 5:  // asctime: weekday, month, day, time, year
            month = monthNumber(fields[1])
            day = Int(fields[2])
            time = fields[3]
            year = fields[4].count == 4 ? Int(fields[4]) : nil
        default:
            return nil
        }
        let clock = time.split(separator: ":").compactMap { Int($0) }
        guard let day, let month, let year, clock.count == 3, (1...31).contains(day),
              (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2]),
              fields[0].allSatisfy(\.isLetter)
        else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func monthNumber(_ name: String) -> Int? {
        months.firstIndex(of: name.lowercased()).map { $0 + 1 }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (the civil-from-days
    /// algorithm run backwards: years start in March so the leap day comes last).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

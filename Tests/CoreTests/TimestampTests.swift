import Foundation
import Testing

@testable import VeredictoCore

@Suite struct TimestampTests {
    static func foundationFormatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// Instants where calendar arithmetic goes wrong: epoch, leap days, century years.
    static let landmarks: [(String, Int64)] = [
        ("1970-01-01T00:00:00.000000Z", 0),
        ("1969-12-31T23:59:59.999000Z", -1),
        ("2000-02-29T12:00:00.000000Z", 951_825_600_000),
        ("2000-03-01T00:00:00.000000Z", 951_868_800_000),
        ("2100-02-28T23:59:59.999000Z", 4_107_542_399_999),
        ("2100-03-01T00:00:00.000000Z", 4_107_542_400_000),
        ("2024-02-29T23:59:59.999000Z", 1_709_251_199_999),
        ("2026-11-25T13:50:00.123000Z", 1_795_614_600_123),
        ("1900-01-01T00:00:00.000000Z", -2_208_988_800_000),
        ("9999-12-31T23:59:59.999000Z", 253_402_300_799_999),
        ("0000-01-01T00:00:00.000000Z", -62_167_219_200_000),
    ]

    @Test func formatsAndParsesLandmarks() {
        for (text, milliseconds) in Self.landmarks {
            let timestamp = Timestamp(millisecondsSinceEpoch: milliseconds)
            #expect(timestamp.iso8601 == text)
            #expect(Timestamp(iso8601: text) == timestamp, "\(text)")
        }
    }

    @Test func agreesWithFoundationOnRandomInstants() {
        let formatter = Self.foundationFormatter()
        var generator = SystemRandomNumberGenerator()
        // 1600-01-01 to 2400-01-01: Foundation's calendar switches to Julian dates before 1582.
        let range: ClosedRange<Int64> = -11_676_096_000_000...13_569_465_600_000
        var instants = (0..<20_000).map { _ in Int64.random(in: range, using: &generator) }
        instants += Self.landmarks.map(\.1).filter { range.contains($0) }
        // Whole seconds and days, where rounding bugs show.
        instants += (0..<2_000).map { _ in Int64.random(in: range, using: &generator) / 86_400_000 * 86_400_000 }
        for milliseconds in instants {
            let ours = Timestamp(millisecondsSinceEpoch: milliseconds).iso8601
            guard let date = formatter.date(from: ours) else {
                Issue.record("Foundation cannot parse \(ours)")
                continue
            }
            #expect(Self.milliseconds(date) == milliseconds, "\(ours)")
            // Foundation formats from a binary double: compare at its own precision.
            let theirs = formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
            #expect(Timestamp(iso8601: theirs).map { abs($0.millisecondsSinceEpoch - milliseconds) <= 1 } == true, "\(theirs)")
            #expect(Timestamp(iso8601: ours)?.millisecondsSinceEpoch == milliseconds)
        }
    }

    @Test func formatsLikeFoundationToTheSecond() {
        // Foundation's fraction can be off by one millisecond (binary doubles); the rest must match.
        let formatter = Self.foundationFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let seconds = Int64.random(in: -11_676_096_000...13_569_465_600, using: &generator)
            let ours = Timestamp(millisecondsSinceEpoch: seconds * 1000).iso8601
            let theirs = formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
            #expect(ours == theirs.dropLast() + ".000000Z")
        }
    }

    @Test func parsesOtherISO8601Forms() {
        let base: Int64 = 1_795_614_600_000  // 2026-11-25T13:50:00Z
        let cases: [(String, Int64)] = [
            ("2026-11-25T13:50:00Z", base),
            ("2026-11-25T13:50:00+00:00", base),
            ("2026-11-25T13:50:00-00:00", base),
            ("2026-11-25T13:50:00.1Z", base + 100),
            ("2026-11-25T13:50:00.12Z", base + 120),
            ("2026-11-25T13:50:00.123456+00:00", base + 123),
            ("2026-11-25T13:50:00.999999999Z", base + 999),
            ("2026-11-25t13:50:00.5z", base + 500),
            ("2026-11-25 13:50:00.123+00:00", base + 123),
            ("2026-11-25T15:20:00+01:30", base),
            ("2026-11-25T05:50:00-08:00", base),
            ("2026-11-26T00:50:00+11:00", base),
            ("+002026-11-25T13:50:00Z", base),
        ]
        for (text, milliseconds) in cases {
            #expect(Timestamp(iso8601: text)?.millisecondsSinceEpoch == milliseconds, "\(text)")
        }
        let formatter = Self.foundationFormatter()
        #expect(Timestamp(iso8601: "1969-12-31T23:59:59.9995Z")?.millisecondsSinceEpoch == -1)
        #expect(formatter.date(from: "2026-11-25T15:20:00.000+01:30").map(Self.milliseconds) == base)
    }

    @Test func carriesMicroseconds() {
        let base: Int64 = 1_795_614_600_000_000  // 2026-11-25T13:50:00Z in microseconds
        let timestamp = Timestamp(microsecondsSinceEpoch: base + 123_456)
        #expect(timestamp.iso8601 == "2026-11-25T13:50:00.123456Z")
        #expect(Timestamp(iso8601: "2026-11-25T13:50:00.123456Z") == timestamp)
        // Earlier versions wrote milliseconds: they still parse, to the same instant.
        #expect(Timestamp(iso8601: "2026-11-25T13:50:00.123Z")?.microsecondsSinceEpoch == base + 123_000)
        #expect(Timestamp(iso8601: "2026-11-25T13:50:00.1234567Z")?.microsecondsSinceEpoch == base + 123_456)
        #expect(Timestamp(microsecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999999Z")
        #expect(timestamp.millisecondsSinceEpoch == 1_795_614_600_123)
        #expect(timestamp.microseconds(since: Timestamp(microsecondsSinceEpoch: base)) == 123_456)
    }

    @Test func rejectsInvalidText() {
        let invalid = [
            "", "2026", "2026-11-25", "2026-11-25T13:50:00", "2026-11-25T13:50:00.123",
            "2026-11-25T13:50Z", "2026-11-25T13:50:00.Z", "2026-11-25T13:50:00,123Z",
            "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-00T00:00:00Z",
            "2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
            "2026-11-25T24:00:00Z", "2026-11-25T23:60:00Z", "2026-11-25T23:59:60Z",
            "2026-11-25T13:50:00+0000", "2026-11-25T13:50:00+00", "2026-11-25T13:50:00+24:00",
            "2026-11-25T13:50:00Zjunk", " 2026-11-25T13:50:00Z", "2026-11-25X13:50:00Z",
            "26-11-25T13:50:00Z", "2026-1-25T13:50:00Z", "２０２６-11-25T13:50:00Z", "+2026-11-25T13:50:00Z",
            "2026-11-25T13:50:00.123ZZ", "-2026-11-25T13:50:00Z",
        ]
        for text in invalid {
            #expect(Timestamp(iso8601: text) == nil, "\(text)")
        }
        #expect(Timestamp(iso8601: "2024-02-29T00:00:00Z") != nil)
        #expect(Timestamp(iso8601: "2000-02-29T00:00:00Z") != nil)
    }

    @Test func expandedYearsRoundTrip() {
        for milliseconds: Int64 in [-62_167_219_200_001, 253_402_300_800_000, -8_000_000_000_000_000, 8_000_000_000_000_000] {
            let timestamp = Timestamp(millisecondsSinceEpoch: milliseconds)
            let text = timestamp.iso8601
            #expect(text.hasPrefix("+") || text.hasPrefix("-"), "\(text)")
            #expect(Timestamp(iso8601: text) == timestamp, "\(text)")
        }
        #expect(Timestamp(millisecondsSinceEpoch: -62_167_219_200_001).iso8601 == "-000001-12-31T23:59:59.999000Z")
    }

    @Test func nowIsTheWallClock() {
        let ours = Timestamp.now().millisecondsSinceEpoch
        let theirs = Self.milliseconds(Date())
        #expect(abs(ours - theirs) < 1_000)
        #expect(Timestamp(millisecondsSinceEpoch: 5).advanced(byMilliseconds: 7).milliseconds(since: Timestamp(millisecondsSinceEpoch: 2)) == 10)
        #expect(Timestamp(millisecondsSinceEpoch: 1) < Timestamp(millisecondsSinceEpoch: 2))
    }
}

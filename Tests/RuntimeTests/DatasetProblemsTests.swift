import Foundation
import Testing

@testable import Dataset

/// Malformed rows of a yahoo_answers_csv file are reported with their lines and never take the
/// rows after them; a field over the limit is a malformed row, not a memory blow-up.
@Suite struct DatasetProblemsTests {
    static func read(_ text: String, limit: Int? = nil) throws -> (rows: [YahooRow], reader: YahooCSVReader) {
        let path = try DatasetTests.write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try YahooCSVReader(path: path)
        if let limit { reader.maximumFieldBytes = limit }
        var rows: [YahooRow] = []
        while let row = try reader.next() { rows.append(row) }
        return (rows, reader)
    }

    @Test func aQuoteLeftOpenDoesNotSwallowTheNextRows() throws {
        // The quote opened on line 1 closes on line 2: the record is malformed (7 fields).
        let (rows, reader) = try Self.read("""
            "1","title","content","answer
            "2","second","c","a"
            "3","third","c","a"

            """)
        #expect(rows.map(\.title) == ["second", "third"])
        #expect(reader.badRows == 1)
        #expect(reader.problems.first?.line == 1)
        #expect(reader.problems.first?.reason.contains("reading resumes on line 2") == true)
    }

    @Test func aQuoteThatClosesOnALaterLineWithTextAfterItIsNotARow() throws {
        // Four fields and a valid class, but only by taking line 2 into line 1's title.
        let (rows, reader) = try Self.read("""
            1,"abc,def,ghi
            2,"title","content","answer"
            3,"t","c","a"

            """)
        #expect(rows.map(\.classIndex) == [2, 3])
        #expect(reader.problems.map(\.line) == [1])
        #expect(reader.problems.first?.reason.contains("unterminated quote") == true)
    }

    @Test func aQuoteOpenAtTheEndOfTheFileLosesOnlyItsLine() throws {
        let (rows, reader) = try Self.read("""
            1,"a","b","c"
            2,"x","y","z
            3,t,c,a
            4,t,c,a
            """)
        #expect(rows.map(\.classIndex) == [1, 3, 4])
        #expect(reader.problems.map(\.line) == [2])
        #expect(reader.problems.first?.reason.hasPrefix("unterminated quoted field") == true)
    }

    @Test func aFieldOverTheLimitIsAMalformedRow() throws {
        let long = String(repeating: "x", count: 5000)
        let (rows, reader) = try Self.read("""
            1,"a","b","c"
            2,"\(long)","b","c"
            3,t,\(long),c
            4,"t","c","a"

            """, limit: 1000)
        #expect(rows.map(\.classIndex) == [1, 4])
        #expect(reader.problems.map(\.line) == [2, 3])
        #expect(reader.problems.allSatisfy { $0.reason.hasPrefix("a field is longer than 1000 bytes") })
    }

    @Test func theReportCountsAndListsTheFirstProblems() throws {
        let (_, reader) = try Self.read((1...8).map { "\($0 + 10),t,c,a" }.joined(separator: "\n") + "\n1,t,c,a\n")
        let report = try #require(reader.skippedReport(limit: 3))
        let lines = report.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("skipped 8 malformed rows of "))
        #expect(lines[0].hasSuffix("(the first 3 below):"))
        #expect(lines[1] == "  line 1: class must be a number from 1 to 10, found \"11\"")
        #expect(lines[3].hasPrefix("  line 3: "))
    }
}

import Foundation
import Testing

@testable import Dataset
@testable import VeredictoCore

@Suite struct DatasetTests {
    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("veredicto-\(UUID()).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsQuotedFieldsAndCountsBadRows() throws {
        let path = try Self.write("""
            "5","Why is my ""PC"" slow?","It has 2GB\\nof RAM","Add memory, it's cheap."
            "11","bad class","x","y"
            "3","too","few"
            4,unquoted title,,"Answer with, a comma"
            "2","Multi
            line","content","answer"
            "1","unterminated,"x","y"

            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try YahooCSVReader(path: path)
        var rows: [YahooRow] = []
        while let row = try reader.next() { rows.append(row) }
        #expect(rows.count == 3)
        #expect(rows[0] == YahooRow(classIndex: 5, title: "Why is my \"PC\" slow?", content: "It has 2GB\\nof RAM",
                                    bestAnswer: "Add memory, it's cheap."))
        #expect(rows[1] == YahooRow(classIndex: 4, title: "unquoted title", content: "", bestAnswer: "Answer with, a comma"))
        #expect(rows[2].title == "Multi\nline")
        #expect(reader.badRows == 3)
        #expect(reader.problems.map(\.line) == [2, 3, 7])
        #expect(reader.problems[0].reason.contains("class must be a number from 1 to 10"))
        #expect(reader.problems[1].reason.contains("expected 4 fields"))
        #expect(YahooRow.displayText(rows[0].content) == "It has 2GB\nof RAM")
    }

    @Test func readsTheBundledSample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let reader = try YahooCSVReader(path: root.appendingPathComponent("data/sample/yahoo_sample.csv").path)
        var perClass = [Int: Int]()
        var emptyContents = 0
        var nonASCII = 0
        while let row = try reader.next() {
            perClass[row.classIndex, default: 0] += 1
            if row.content.isEmpty { emptyContents += 1 }
            if row.bestAnswer.utf8.contains(where: { $0 >= 0x80 }) { nonASCII += 1 }
        }
        #expect(reader.badRows == 0)
        #expect(perClass.values.reduce(0, +) >= 300)
        #expect(perClass.keys.sorted() == Array(1...10))
        #expect(emptyContents > 0)
        #expect(nonASCII > 0)
    }

    @Test func missingFileIsAOneLineError() {
        let error = #expect(throws: DatasetError.self) { try YahooCSVReader(path: "/nonexistent/yahoo.csv") }
        #expect(error?.description == "cannot open dataset /nonexistent/yahoo.csv: No such file or directory")
    }

    @Test func syntheticTextIsDeterministicAndYahooShaped() {
        var a = SyntheticText(seed: 9)
        var b = SyntheticText(seed: 9)
        #expect(a.pair(topic: 3) == b.pair(topic: 3))
        var lengths: [Int] = []
        for _ in 0..<2000 { lengths.append(a.answerLength()) }
        lengths.sort()
        #expect((45...75).contains(lengths[1000]))  // median about 60 words
        #expect(lengths.last! > 500)  // a long tail
        let row = a.row()
        #expect((1...10).contains(row.classIndex))
        #expect(row.title.hasSuffix("?"))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams the rows of a yahoo_answers_csv file (headerless CSV `class,title,content,
/// best_answer`, quotes doubled inside quoted fields) without loading the file: it reads
/// 4 MiB at a time and hands out rows as they complete.
///
/// A malformed row (wrong number of fields, class outside 1...10, unterminated quote, a field
/// longer than `maximumFieldBytes`) is counted and described in `problems`, never fatal, and
/// never takes the rows after it: a record that spans lines (a quote opened and closed on a
/// later line) and turns out malformed, or has text between a closing quote and the next
/// separator, is reported at its first line and reading resumes on the line after it. The
/// dataset writes newlines inside fields as the two characters `\n`, so a real one inside
/// quotes is rare; a well-formed record spanning lines is still read.
public final class YahooCSVReader {
    /// A row that could not be read, with its 1-based line number.
    public struct Problem: Sendable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public let path: String
    /// Rows read successfully so far.
    public private(set) var rowsRead = 0
    /// Malformed rows skipped so far.
    public private(set) var badRows = 0
    /// The first problems met (at most `maximumProblemsKept`).
    public private(set) var problems: [Problem] = []
    public var maximumProblemsKept = 20
    /// The longest field accepted (bytes); a longer one makes its row malformed, and memory stays
    /// bounded by about this plus the 4 MiB read size, whatever the file holds.
    public var maximumFieldBytes = 1 << 20

    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// What each read(2) fills, then appended to `buffer`.
    private var chunk: [UInt8] = []
    private var start = 0
    private var endOfFile = false
    private var line = 1
    private static let chunkSize = 4 << 20

    /// Where the last record parsed began, and whether it looked like a quote gone wrong.
    private var recordStart = 0
    private var recordSpannedLines = false
    private var recordHadStrayText = false

    /// Opens a file; throws a one-line error when it cannot be read.
    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw DatasetError("cannot open dataset \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        close(descriptor)
    }

    /// The next well-formed row, or nil at the end of the file.
    public func next() throws -> YahooRow? {
        while true {
            guard let fields = try nextRecord() else { return nil }
            let recordLine = fields.line
            if fields.values.count == 1 && fields.values[0].isEmpty { continue }  // blank line
            var problem: String?
            if fields.values.count != 4 {
                problem = "expected 4 fields (class,title,content,best_answer), found \(fields.values.count)"
            } else if let classIndex = Int(fields.values[0].trimmingCharacters()), (1...10).contains(classIndex) {
                if recordSpannedLines && recordHadStrayText {
                    problem = "a quoted field runs to line \(line - 1) and text follows its closing quote: unterminated quote?"
                }
            } else {
                problem = "class must be a number from 1 to 10, found \"\(fields.values[0].prefix(20))\""
            }
            if let problem {
                if recordSpannedLines {
                    note(recordLine, problem + "; reading resumes on line \(recordLine + 1)")
                    try resume(afterLineAt: recordStart, line: recordLine)
                } else {
                    note(recordLine, problem)
                }
                continue
            }
            rowsRead += 1
            return YahooRow(classIndex: Int(fields.values[0].trimmingCharacters())!, title: fields.values[1],
                            content: fields.values[2], bestAnswer: fields.values[3])
        }
    }

    /// Calls `body` for every well-formed row until it returns false.
    public func forEach(_ body: (YahooRow) throws -> Bool) throws {
        while let row = try next() {
            guard try body(row) else { return }
        }
    }

    /// The skipped rows in a few lines for a person (nil when none was skipped): the count,
    /// then the first `limit` problems with their line numbers.
    public func skippedReport(limit: Int = 5) -> String? {
        guard badRows > 0 else { return nil }
        var lines = ["skipped \(badRows) malformed row\(badRows == 1 ? "" : "s") of \(path)"
            + (badRows > limit ? " (the first \(min(limit, problems.count)) below)" : "") + ":"]
        for problem in problems.prefix(limit) { lines.append("  \(problem)") }
        return lines.joined(separator: "\n")
    }

    private func note(_ line: Int, _ reason: String) {
        badRows += 1
        if problems.count < maximumProblemsKept { problems.append(Problem(line: line, reason: reason)) }
    }

    /// Moves past the end of the line on which the buffer offset `offset` lies (line number
    /// `line`), reading on without keeping what it skips.
    private func resume(afterLineAt offset: Int, line recordLine: Int) throws {
        start = offset
        while true {
            let from = start
            let newline = buffer.withUnsafeBufferPointer { bytes -> Int? in
                guard from < bytes.count, let found = memchr(bytes.baseAddress! + from, 0x0A, bytes.count - from) else { return nil }
                return bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            if let newline {
                start = newline + 1
                break
            }
            start = buffer.count
            if !(try fill()) { break }
        }
        line = recordLine + 1
    }

    /// Reads more of the file; false at end of file.
    private func fill() throws -> Bool {
        if endOfFile { return false }
        if start > 0 {
            buffer.removeFirst(start)
            recordStart -= start
            start = 0
        }
        if chunk.isEmpty { chunk = [UInt8](repeating: 0, count: Self.chunkSize) }
        let got = chunk.withUnsafeMutableBytes { raw in read(descriptor, raw.baseAddress!, raw.count) }
        guard got >= 0 else {
            throw DatasetError("cannot read dataset \(path): \(String(cString: strerror(errno)))")
        }
        chunk.withUnsafeBufferPointer { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<got])) }
        if got == 0 { endOfFile = true }
        return got > 0
    }

    /// What parsing from `start` found.
    private enum Parsed {
        case record(values: [String], line: Int)
        /// The buffer ends before the record does.
        case needMore
        /// Unreadable from `line` (unterminated quote at the end of the file, a field over the
        /// limit): reported, and reading resumes on the next line.
        case broken(line: Int, reason: String)
    }

    /// Parses one CSV record (which may span lines inside quotes).
    private func nextRecord() throws -> (values: [String], line: Int)? {
        while true {
            switch parseRecord(atEnd: endOfFile) {
            case .record(let values, let line):
                return (values, line)
            case .broken(let recordLine, let reason):
                note(recordLine, reason + "; reading resumes on line \(recordLine + 1)")
                try resume(afterLineAt: start, line: recordLine)
            case .needMore:
                if !(try fill()) {
                    if start >= buffer.count { return nil }
                    switch parseRecord(atEnd: true) {
                    case .record(let values, let line):
                        return (values, line)
                    case .broken(let recordLine, let reason):
                        note(recordLine, reason + "; reading resumes on line \(recordLine + 1)")
                        try resume(afterLineAt: start, line: recordLine)
                    case .needMore:
                        return nil
                    }
                }
            }
        }
    }

    /// Parses from `start`; `.needMore` when the buffer ends before the record does (unless
    /// atEnd). Leaves `start` where it was unless a record is returned.
    private func parseRecord(atEnd: Bool) -> Parsed {
        let recordLine = line
        let limit = maximumFieldBytes
        var values: [String] = []
        var i = start
        var lines = 0
        var strayText = false
        let n = buffer.count
        if i >= n { return .needMore }
        let overLimit = Parsed.broken(line: recordLine, reason: "a field is longer than \(limit) bytes, the limit (an unterminated quote?)")
        return buffer.withUnsafeBufferPointer { bytes -> Parsed in
            var field: [UInt8] = []
            while true {
                if i < n && bytes[i] == UInt8(ascii: "\"") {
                    // Quoted field.
                    var j = i + 1
                    field.removeAll(keepingCapacity: true)
                    var closed = false
                    while j < n {
                        let b = bytes[j]
                        if b == UInt8(ascii: "\"") {
                            if j + 1 < n && bytes[j + 1] == UInt8(ascii: "\"") {
                                field.append(b)
                                j += 2
                                continue
                            }
                            if j + 1 >= n && !atEnd { return .needMore }  // cannot tell "" from " yet
                            closed = true
                            j += 1
                            break
                        }
                        if b == 0x0A { lines += 1 }
                        field.append(b)
                        if field.count > limit { return overLimit }
                        j += 1
                    }
                    if !closed {
                        guard atEnd else { return .needMore }
                        return .broken(line: recordLine, reason: "unterminated quoted field")
                    }
                    values.append(String(decoding: field, as: UTF8.self))
                    i = j
                    // Text between the closing quote and the separator is kept, but marks the
                    // record as suspect (see `next`).
                    while i < n && bytes[i] != UInt8(ascii: ",") && bytes[i] != 0x0A {
                        if bytes[i] != 0x0D {
                            values[values.count - 1].unicodeScalars.append(Unicode.Scalar(bytes[i]))
                            strayText = true
                        }
                        i += 1
                    }
                } else {
                    var j = i
                    while j < n && bytes[j] != UInt8(ascii: ",") && bytes[j] != 0x0A {
                        j += 1
                        if j - i > limit { return overLimit }
                    }
                    if j >= n && !atEnd { return .needMore }
                    var end = j
                    if end > i && bytes[end - 1] == 0x0D { end -= 1 }
                    values.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self))
                    i = j
                }
                if i >= n {
                    guard atEnd else { return .needMore }
                    recordStart = start
                    recordSpannedLines = lines > 0
                    recordHadStrayText = strayText
                    start = n
                    line += lines + 1
                    return .record(values: values, line: recordLine)
                }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                // Newline: end of record.
                recordStart = start
                recordSpannedLines = lines > 0
                recordHadStrayText = strayText
                start = i + 1
                line += lines + 1
                return .record(values: values, line: recordLine)
            }
        }
    }
}

/// A dataset that cannot be opened or read.
public struct DatasetError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    func trimmingCharacters() -> Substring {
        var s = self[...]
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return s
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams the rows of a yahoo_answers_csv file (headerless CSV `class,title,content,
/// best_answer`, quotes doubled inside quoted fields) without loading the file: it reads
/// 4 MiB at a time and hands out rows as they complete.
///
/// A malformed row (wrong number of fields, class outside 1...10, unterminated quote) is
/// counted and described in `problems`, never fatal.
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

    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var endOfFile = false
    private var line = 1
    private static let chunkSize = 4 << 20

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
            guard fields.values.count == 4 else {
                note(recordLine, "expected 4 fields (class,title,content,best_answer), found \(fields.values.count)")
                continue
            }
            guard let classIndex = Int(fields.values[0].trimmingCharacters()), (1...10).contains(classIndex) else {
                note(recordLine, "class must be a number from 1 to 10, found \"\(fields.values[0].prefix(20))\"")
                continue
            }
            rowsRead += 1
            return YahooRow(classIndex: classIndex, title: fields.values[1], content: fields.values[2],
                            bestAnswer: fields.values[3])
        }
    }

    /// Calls `body` for every well-formed row until it returns false.
    public func forEach(_ body: (YahooRow) throws -> Bool) throws {
        while let row = try next() {
            guard try body(row) else { return }
        }
    }

    private func note(_ line: Int, _ reason: String) {
        badRows += 1
        if problems.count < maximumProblemsKept { problems.append(Problem(line: line, reason: reason)) }
    }

    /// Reads more of the file; false at end of file.
    private func fill() throws -> Bool {
        if endOfFile { return false }
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.chunkSize))
        let got = buffer.withUnsafeMutableBytes { raw in
            read(descriptor, raw.baseAddress! + old, Self.chunkSize)
        }
        guard got >= 0 else {
            buffer.removeLast(Self.chunkSize)
            throw DatasetError("cannot read dataset \(path): \(String(cString: strerror(errno)))")
        }
        buffer.removeLast(Self.chunkSize - got)
        if got == 0 { endOfFile = true }
        return got > 0
    }

    /// Parses one CSV record (which may span lines inside quotes).
    private func nextRecord() throws -> (values: [String], line: Int)? {
        while true {
            if let record = try parseRecord(atEnd: endOfFile) { return record }
            if !(try fill()) {
                if start < buffer.count, let record = try parseRecord(atEnd: true) { return record }
                return nil
            }
        }
    }

    /// Parses from `start`; nil when the buffer ends before the record does (unless atEnd).
    private func parseRecord(atEnd: Bool) throws -> (values: [String], line: Int)? {
        let recordLine = line
        var values: [String] = []
        var i = start
        var lines = 0
        let n = buffer.count
        if i >= n { return nil }
        return buffer.withUnsafeBufferPointer { bytes -> (values: [String], line: Int)? in
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
                            if j + 1 >= n && !atEnd { return nil }  // cannot tell "" from " yet
                            closed = true
                            j += 1
                            break
                        }
                        if b == 0x0A { lines += 1 }
                        field.append(b)
                        j += 1
                    }
                    if !closed {
                        guard atEnd else { return nil }
                        // Unterminated quote at end of file: report and drop the rest.
                        note(recordLine, "unterminated quoted field")
                        start = n
                        line += lines
                        return nil
                    }
                    values.append(String(decoding: field, as: UTF8.self))
                    i = j
                    // Garbage between the closing quote and the separator is kept as text.
                    while i < n && bytes[i] != UInt8(ascii: ",") && bytes[i] != 0x0A {
                        if bytes[i] != 0x0D { values[values.count - 1].unicodeScalars.append(Unicode.Scalar(bytes[i])) }
                        i += 1
                    }
                } else {
                    var j = i
                    while j < n && bytes[j] != UInt8(ascii: ",") && bytes[j] != 0x0A { j += 1 }
                    if j >= n && !atEnd { return nil }
                    var end = j
                    if end > i && bytes[end - 1] == 0x0D { end -= 1 }
                    values.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self))
                    i = j
                }
                if i >= n {
                    guard atEnd else { return nil }
                    start = n
                    line += lines + 1
                    return (values, recordLine)
                }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                // Newline: end of record.
                start = i + 1
                line += lines + 1
                return (values, recordLine)
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

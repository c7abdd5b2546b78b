import Foundation

/// Writes yahoo_answers_csv files (headerless `class,title,content,best_answer`, every field
/// quoted, quotes doubled, line breaks written as the two characters `\n`), streaming: rows go
/// through a small buffer to the file, so a file of any size takes constant memory.
public final class YahooCSVWriter {
    public let path: String
    public private(set) var rowsWritten = 0
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    public init(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw DatasetError("cannot write \(path)")
        }
        self.path = path
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }

    public func write(_ row: YahooRow) throws {
        buffer += Array("\"\(row.classIndex)\",".utf8)
        Self.appendField(row.title, to: &buffer)
        buffer.append(UInt8(ascii: ","))
        Self.appendField(row.content, to: &buffer)
        buffer.append(UInt8(ascii: ","))
        Self.appendField(row.bestAnswer, to: &buffer)
        buffer.append(UInt8(ascii: "\n"))
        rowsWritten += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    public func close() throws {
        try flush()
        try handle.close()
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// One quoted field: quotes doubled, CR/LF line breaks as the two characters `\n`.
    static func appendField(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var previousCR = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""):
                out += [UInt8(ascii: "\""), UInt8(ascii: "\"")]
            case UInt8(ascii: "\r"):
                out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\n"):
                if !previousCR { out += [UInt8(ascii: "\\"), UInt8(ascii: "n")] }
            default:
                out.append(byte)
            }
            previousCR = byte == UInt8(ascii: "\r")
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Writes `rows` generated rows (SyntheticText) to `path`; returns the rows written.
    @discardableResult
    public static func writeSynthetic(rows: Int, seed: UInt64, to path: String) throws -> Int {
        let writer = try YahooCSVWriter(path: path)
        var text = SyntheticText(seed: seed)
        for _ in 0..<rows { try writer.write(text.row()) }
        try writer.close()
        return writer.rowsWritten
    }
}

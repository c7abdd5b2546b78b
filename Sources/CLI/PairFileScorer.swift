import Dispatch
import Foundation
import Observability
import Scoring
import VeredictoCore

/// Scores a JSONL stream of pairs in blocks: each block of complete lines is split among
/// worker threads that parse and score their share in place (one scorer per worker), and
/// the outputs are written in input order.
final class PairFileScorer {
    struct Summary {
        var scored = 0
        var skipped = 0
        var scoreSum = 0.0
    }

    struct LineError: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    private let shares: [Share]
    private let skipInvalid: Bool
    private static let blockSize = 8 << 20

    init(model: IDFModel?, threads: Int, skipInvalid: Bool) throws {
        shares = try (0..<threads).map { _ in Share(scorer: try TFIDFScorer(model: model)) }
        self.skipInvalid = skipInvalid
    }

    /// One worker's share of a block.
    private final class Share: @unchecked Sendable {
        // @unchecked: each share (and its scorer) is used by exactly one worker of
        // concurrentPerform at a time, and read after it returns.
        let scorer: TFIDFScorer
        var output = JSONWriter(capacity: 1 << 16)
        var batch = ScoringBatch()
        var scores: [Double] = []
        var lineNumbers: [Int] = []
        var ids: [String?] = []
        var errors: [LineError] = []
        var field: [UInt8] = []
        var field2: [UInt8] = []

        init(scorer: TFIDFScorer) { self.scorer = scorer }
    }

    func run(input: Int32, output: Int32, report: (LineError) -> Void) throws -> Summary {
        var summary = Summary()
        var buffer = [UInt8]()
        var firstLine = 1
        var atEnd = false
        let shares = self.shares
        while !atEnd {
            // Fill the buffer with at least one block (or to the end of the input).
            let keep = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: Self.blockSize))
            var filled = keep
            while filled < buffer.count {
                let got = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress! + filled, $0.count - filled) }
                if got < 0 {
                    if errno == EINTR { continue }
                    throw LineError(line: firstLine, reason: "read failed: \(String(cString: strerror(errno)))")
                }
                if got == 0 {
                    atEnd = true
                    break
                }
                filled += got
            }
            buffer.removeLast(buffer.count - filled)
            // Complete lines only, unless the input ended.
            var usable = buffer.count
            if !atEnd {
                guard let lastNewline = buffer.lastIndex(of: 0x0A) else { continue }
                usable = lastNewline + 1
            }
            let lineStarts = Self.lineStarts(buffer, usable)
            try process(buffer, usable: usable, lineStarts: lineStarts, firstLine: firstLine, shares: shares,
                        output: output, summary: &summary, report: report)
            firstLine += lineStarts.count - 1
            buffer.removeFirst(usable)
        }
        return summary
    }

    /// Offsets of line starts in buffer[0..<usable], plus `usable` as the end sentinel.
    private static func lineStarts(_ buffer: [UInt8], _ usable: Int) -> [Int] {
        var starts = [0]
        buffer.withUnsafeBufferPointer { bytes in
            var i = 0
            while i < usable {
                if bytes[i] == 0x0A && i + 1 <= usable { starts.append(i + 1) }
                i += 1
            }
        }
        if starts.last != usable { starts.append(usable) }
        return starts
    }

    private func process(_ buffer: [UInt8], usable: Int, lineStarts: [Int], firstLine: Int, shares: [Share],
                         output: Int32, summary: inout Summary, report: (LineError) -> Void) throws {
        let lines = lineStarts.count - 1
        let workers = min(shares.count, max(1, lines / 256))
        let perWorker = (lines + workers - 1) / max(workers, 1)
        let skipInvalid = self.skipInvalid
        buffer.withUnsafeBufferPointer { bytes in
            let bytes = UnsafeSendableBuffer(bytes)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let share = shares[worker]
                let from = worker * perWorker
                let to = min(lines, from + perWorker)
                Self.work(bytes.buffer, lineStarts: lineStarts, range: from..<to, firstLine: firstLine,
                          share: share, stopAtError: !skipInvalid)
            }
        }
        // Stop at the first error in input order unless invalid lines are skipped.
        var firstError: LineError?
        for share in shares.prefix(workers) {
            for error in share.errors {
                if skipInvalid { report(error) }
                else if firstError == nil || error.line < firstError!.line { firstError = error }
            }
        }
        for share in shares.prefix(workers) {
            var bytes = share.output.bytes
            if let firstError, let cut = share.lineNumbers.firstIndex(where: { $0 > firstError.line }) {
                // Drop this share's lines after the error (each output line ends with \n).
                var newlines = 0
                var end = 0
                for (index, byte) in bytes.enumerated() where byte == 0x0A {
                    newlines += 1
                    if newlines == cut { end = index + 1; break }
                }
                bytes = Array(bytes[..<(cut == 0 ? 0 : end)])
            }
            try writeAll(output, bytes)
            for (k, line) in share.lineNumbers.enumerated() where firstError == nil || line < firstError!.line {
                summary.scored += 1
                summary.scoreSum += share.scores[k]
            }
            summary.skipped += share.errors.count
            if firstError != nil && share.lineNumbers.contains(where: { $0 > firstError!.line }) { break }
        }
        if let firstError { throw firstError }
    }

    private static func work(_ bytes: UnsafeBufferPointer<UInt8>, lineStarts: [Int], range: Range<Int>, firstLine: Int,
                             share: Share, stopAtError: Bool) {
        share.output.reset()
        share.batch.removeAll()
        share.lineNumbers.removeAll(keepingCapacity: true)
        share.ids.removeAll(keepingCapacity: true)
        share.errors.removeAll(keepingCapacity: true)
        for index in range {
            var start = lineStarts[index]
            var end = lineStarts[index + 1]
            if end > start && bytes[end - 1] == 0x0A { end -= 1 }
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            let lineNumber = firstLine + index
            // Blank lines are not pairs.
            while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
            if start == end { continue }
            do {
                let id = try parse(UnsafeBufferPointer(rebasing: bytes[start..<end]), share: share)
                share.lineNumbers.append(lineNumber)
                share.ids.append(id)
            } catch {
                share.errors.append(LineError(line: lineNumber, reason: "\(error)"))
                if stopAtError { break }
            }
        }
        share.scorer.score(share.batch, into: &share.scores)
        for (k, score) in share.scores.enumerated() {
            share.output.beginObject()
            share.output.field("line", share.lineNumbers[k])
            if let id = share.ids[k] {
                share.output.key("id")
                share.output.appendRaw(id)
            }
            share.output.field("score", score)
            share.output.endObject()
            share.output.newline()
        }
    }

    /// Parses one line into the share's batch; returns the raw JSON of its "id", if any.
    private static func parse(_ line: UnsafeBufferPointer<UInt8>, share: Share) throws -> String? {
        var reference: (UnsafeBufferPointer<UInt8>, Bool)?
        var answer: (UnsafeBufferPointer<UInt8>, Bool)?
        var id: String?
        do {
            try JSONScanner.scanObject(line) { key, _, value in
                if JSONScanner.key(key, is: "reference") {
                    guard case .string(let raw, let escaped) = value else { throw FieldError("\"reference\" must be a string") }
                    reference = (raw, escaped)
                } else if JSONScanner.key(key, is: "answer") {
                    guard case .string(let raw, let escaped) = value else { throw FieldError("\"answer\" must be a string") }
                    answer = (raw, escaped)
                } else if JSONScanner.key(key, is: "id") {
                    switch value {
                    case .string(let raw, _): id = "\"" + String(decoding: raw, as: UTF8.self) + "\""
                    case .number(let raw): id = String(decoding: raw, as: UTF8.self)
                    default: throw FieldError("\"id\" must be a string or a number")
                    }
                }
            }
        } catch let error as JSONScanner.SyntaxError {
            throw FieldError("invalid JSON: \(error)")
        }
        guard let reference else { throw FieldError("missing \"reference\"") }
        guard let answer else { throw FieldError("missing \"answer\"") }
        if !reference.1 && !answer.1 {
            share.batch.append(reference: reference.0, answer: answer.0)
        } else {
            share.field.removeAll(keepingCapacity: true)
            share.field2.removeAll(keepingCapacity: true)
            try JSONScanner.decodeString(reference.0, escaped: reference.1, into: &share.field)
            try JSONScanner.decodeString(answer.0, escaped: answer.1, into: &share.field2)
            share.field.withUnsafeBufferPointer { ref in
                share.field2.withUnsafeBufferPointer { ans in share.batch.append(reference: ref, answer: ans) }
            }
        }
        return id
    }

    private func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let wrote = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if wrote < 0 {
                if errno == EINTR { continue }
                throw LineError(line: 0, reason: "write failed: \(String(cString: strerror(errno)))")
            }
            offset += wrote
        }
    }
}

struct FieldError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Hands a buffer that outlives the concurrent work to the workers, read-only.
struct UnsafeSendableBuffer: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<UInt8>
    init(_ buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }
}

import Dispatch
import Foundation
import Observability
import VeredictoCore

/// The generator's record of every acknowledged send: a CSV file in `data_collected/`, and a
/// plot of the emitted traffic (messages per second over time) beside it.
///
/// Lines are buffered and written to the file at least every `flushInterval` (and whenever
/// 1 MiB is buffered), so a process killed without warning (SIGKILL) loses at most the sends
/// of that last interval: what docs/delivery.md relies on to tell which questions were asked.
public final class TrafficLog: @unchecked Sendable {
    // @unchecked: all state is behind `lock`; the timer only calls `flushPending`.
    public let csvPath: String
    private let handle: FileHandle
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    private var sendTimes: [Double] = []  // seconds since the first send
    private var firstSend: Int64?
    private var finished = false
    private let timer: DispatchSourceTimer

    /// Creates `directory` if needed and opens `<directory>/<name>.csv`; buffered lines reach
    /// the file at least every `flushInterval`.
    public init(directory: String, name: String, flushInterval: Duration = .milliseconds(500)) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        csvPath = (directory as NSString).appendingPathComponent(name + ".csv")
        guard FileManager.default.createFile(atPath: csvPath, contents: Data("sequence,question_id,trace_id,scheduled_ms,sent_at\n".utf8)),
              let handle = FileHandle(forWritingAtPath: csvPath)
        else { throw ConfigurationError("cannot write the traffic log \(csvPath)") }
        handle.seekToEndOfFile()
        self.handle = handle
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "veredicto.traffic-log"))
        let interval = DispatchTimeInterval.milliseconds(Int(max(1, flushInterval.wholeMilliseconds)))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in self?.flushPending() }
        timer.resume()
    }

    deinit {
        timer.cancel()
    }

    /// Writes the buffered lines, if any (the timer's job).
    private func flushPending() {
        lock.lock()
        defer { lock.unlock() }
        if !finished && !buffer.isEmpty { flushLocked() }
    }

    public func record(_ sends: [QuestionGenerator.Send]) {
        lock.lock()
        defer { lock.unlock() }
        for send in sends {
            if firstSend == nil { firstSend = send.sentAt.millisecondsSinceEpoch }
            sendTimes.append(Double(send.sentAt.millisecondsSinceEpoch - firstSend!) / 1000)
            Self.appendLine(send, to: &buffer)
        }
        if buffer.count > 1 << 20 { flushLocked() }
    }

    /// One CSV line, written as bytes: a run logs every question it sends, and string
    /// interpolation with a formatted number cost more than sending it.
    static func appendLine(_ send: QuestionGenerator.Send, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: String(send.sequence).utf8)
        buffer.append(UInt8(ascii: ","))
        buffer.append(contentsOf: send.questionID.utf8)
        buffer.append(UInt8(ascii: ","))
        buffer.append(contentsOf: send.traceID.utf8)
        buffer.append(UInt8(ascii: ","))
        let scheduled = send.scheduledMilliseconds
        if scheduled >= 0 && scheduled < 1e15 && scheduled == scheduled.rounded() {
            // Whole milliseconds (every send of an as-fast-as-possible run): what %.3f prints.
            buffer.append(contentsOf: String(Int64(scheduled)).utf8)
            buffer.append(contentsOf: ".000".utf8)
        } else {
            buffer.append(contentsOf: String(format: "%.3f", scheduled).utf8)
        }
        buffer.append(UInt8(ascii: ","))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Timestamp.maximumFormattedLength) { text in
            let length = send.sentAt.format(into: text.baseAddress!)
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<length]))
        }
        buffer.append(0x0A)
    }

    /// Writes what is buffered and the traffic plot; returns the plot's path.
    @discardableResult
    public func finish() -> String {
        timer.cancel()
        lock.lock()
        defer { lock.unlock() }
        if !finished {
            flushLocked()
            try? handle.close()
            finished = true
        }
        let svgPath = String(csvPath.dropLast(4)) + ".svg"
        let chart = Self.trafficChart(sendTimes)
        _ = FileManager.default.createFile(atPath: svgPath, contents: Data(chart.render().utf8))
        return svgPath
    }

    /// Messages emitted per time bucket (about 60 buckets over the run); the bin width is in the
    /// title and the y axis's label.
    public static func trafficChart(_ times: [Double]) -> SVGChart {
        let span = max(times.last ?? 0, 0.001)
        let bucket = Self.niceBucket(span / 60)
        var counts = [Int](repeating: 0, count: max(1, Int((span / bucket).rounded(.up))))  // the last send closes the last bucket
        for time in times { counts[min(counts.count - 1, Int(time / bucket))] += 1 }
        let points = counts.enumerated().map { (x: Double($0.offset) * bucket, y: Double($0.element) / bucket) }
        let width = Self.bucketText(bucket)
        var chart = SVGChart(title: "Traffic emitted (\(times.count) questions, \(width) bins)", xLabel: "seconds since the first send",
                             yLabel: "questions per second, per \(width) bin", series: [.init(name: "emitted", points: points)])
        chart.kind = .steps
        return chart
    }

    /// A bin width for a label: "50 ms", "2 s".
    static func bucketText(_ seconds: Double) -> String {
        seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : "\(Int(seconds.rounded())) s"
    }

    static func niceBucket(_ raw: Double) -> Double {
        for candidate in [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60] where candidate >= raw {
            return candidate
        }
        return 60
    }

    private func flushLocked() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}

import Foundation
import Testing

@testable import Generator
@testable import VeredictoCore

/// The generator's traffic log reaches its file while the generator runs, not only at the end:
/// a process killed without warning keeps all but its last moments.
@Suite struct TrafficLogFlushTests {
    @Test func sendsReachTheFileWithoutFinish() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("veredicto-log-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try TrafficLog(directory: directory, name: "traffic", flushInterval: .milliseconds(100))
        let now = Timestamp.now()
        log.record((0..<3).map { QuestionGenerator.Send(sequence: $0, questionID: "q\($0)", traceID: "t\($0)",
                                                         scheduledMilliseconds: Double($0), sentAt: now) })
        // Far fewer bytes than the 1 MiB that also triggers a write: only the interval writes them.
        var lines: [Substring] = []
        for _ in 0..<200 {
            let text = (try? String(contentsOfFile: log.csvPath, encoding: .utf8)) ?? ""
            lines = text.split(separator: "\n")
            if lines.count == 4 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(lines.count == 4, "the file holds \(lines.count - 1) of 3 sends before finish()")
        #expect(lines.last?.hasPrefix("2,q2,t2,2.000,") == true)
        log.finish()
        log.finish()
    }
}

import Foundation
import Testing

@testable import Runtime

/// A run stopped early (SIGINT, SIGTERM) or killed is skipped by the report, with a line saying why.
@Suite struct IncompleteRunTests {
    @Test func theReportSkipsIncompleteAndUnreadableRuns() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("incomplete-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func run(_ name: String, metrics: String?) throws {
            let path = (directory as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            if let metrics { try metrics.write(toFile: path + "/metrics.json", atomically: true, encoding: .utf8) }
        }
        try run("run_2026-01-01T00-00-01", metrics: #"{"report": {"completed": true}}"#)
        try run("run_2026-01-01T00-00-02", metrics: #"{"report": {"completed": false}}"#)
        try run("run_2026-01-01T00-00-03", metrics: nil)
        let (latest, skipped) = RunReport.latestCompleteRun(in: directory)
        #expect(latest.map { ($0 as NSString).lastPathComponent } == "run_2026-01-01T00-00-01")
        #expect(skipped == ["skipping run_2026-01-01T00-00-03: no readable metrics.json (the run was killed before writing it)",
                            "skipping run_2026-01-01T00-00-02: incomplete (stopped before every question was decided)"])
    }
}

import ArgumentParser
import Foundation
import Runtime

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of the latest run (and experiments) in data_collected/.")

    @Option(name: [.customLong("out-dir"), .customLong("dir")],
            help: "Where the runs and experiments are (the --out-dir they were given), and where report.html goes.")
    var directory: String = "data_collected"

    func run() throws {
        for line in RunReport.latestCompleteRun(in: directory).skipped + RunReport.skippedExperiments(in: directory) {
            printError(line)
        }
        let html: String
        do {
            html = try RunReport.build(directory: directory)
        } catch let error as RunReport.Missing {
            // Not a usage error: the command was right, the directory holds no finished run.
            printError("error: \(error.description)")
            throw ExitCode.failure
        }
        let path = (directory as NSString).appendingPathComponent("report.html")
        try html.write(toFile: path, atomically: true, encoding: .utf8)
        print("report: \(path) (\(html.utf8.count) bytes, \(html.components(separatedBy: "<svg").count - 1) charts)")
    }
}

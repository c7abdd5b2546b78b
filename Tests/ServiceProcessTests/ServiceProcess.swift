import Foundation
import TestSupport

/// A `veredicto` process started by a test, with its output captured to a file.
final class ServiceProcess: @unchecked Sendable {
    // @unchecked: the process is driven by one test at a time.
    let name: String
    let process = Process()
    let logPath: String

    static var executable: URL { VeredictoExecutable.url }
    static var packageRoot: URL { VeredictoExecutable.packageRoot }

    init(name: String, arguments: [String], environment: [String: String], logDirectory: URL) throws {
        self.name = name
        logPath = logDirectory.appendingPathComponent("\(name).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = Self.packageRoot
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// `veredicto serve generator` asking `total` questions of the bundled sample at `rate` a
    /// second (0: as fast as it can), Zipf 1.1 popularity, seeded; its traffic log goes to
    /// `directory`, where `ResultChecks.askedQuestions` reads it.
    static func generator(name: String = "generator", total: Int, rate: Int, seed: Int,
                          environment: [String: String], directory: URL) throws -> ServiceProcess {
        try ServiceProcess(
            name: name,
            arguments: ["serve", "generator", "--dataset", "data/sample/yahoo_sample.csv", "--total", "\(total)",
                        "--rate", "\(rate)", "--zipf", "1.1", "--seed", "\(seed)", "--log-dir", directory.path,
                        "--metrics-port", "0"],
            environment: environment, logDirectory: directory)
    }

    var isRunning: Bool { process.isRunning }

    /// Sends SIGTERM and waits up to `timeout` for the exit; returns the exit status (nil if
    /// it had to be killed).
    func stop(timeout: Duration = .seconds(30)) async -> Int32? {
        if process.isRunning { process.terminate() }
        return await waitForExit(timeout: timeout)
    }

    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

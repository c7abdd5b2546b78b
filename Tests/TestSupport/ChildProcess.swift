import Foundation

/// A child process run to its end without holding a thread of Swift's cooperative pool: its
/// output is read and its exit awaited on threads of their own. A test that blocked on a slow
/// child (an embedded run, a Python script) held one of the pool's few threads (two on a
/// two-core machine) for that long, and two such tests at once stalled every other async test
/// of the suite, which then failed its own bounded waits.
public enum ChildProcess {
    public struct Outcome: Sendable {
        public let status: Int32
        public let stdout: String
        /// Standard error, or nothing when it was merged into `stdout` or discarded.
        public let stderr: String
    }

    /// Where the child's standard error goes.
    public enum ErrorOutput: Sendable {
        case separate, mergedIntoStdout, discarded
    }

    /// Runs `executable` with `arguments` (in `directory` when given, with `stdin` as its
    /// standard input, else an empty one) and returns its exit status and output.
    public static func run(_ executable: URL, _ arguments: [String], directory: URL? = nil, stdin: String? = nil,
                           stderr errorOutput: ErrorOutput = .separate) async throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        switch errorOutput {
        case .separate: process.standardError = err
        case .mergedIntoStdout: process.standardError = out
        case .discarded: process.standardError = FileHandle.nullDevice
        }
        process.standardInput = input
        try process.run()
        let data = stdin.map { Data($0.utf8) }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            // Standard input is written, and standard error drained, beside the reading of
            // standard output, so that a child never waits on one pipe while this side waits on
            // another.
            Thread.detachNewThread {
                if let data { input.fileHandleForWriting.write(data) }
                try? input.fileHandleForWriting.close()
            }
            Thread.detachNewThread {
                let errorRead = DispatchSemaphore(value: 0)
                nonisolated(unsafe) var errorData = Data()
                if case .separate = errorOutput {
                    Thread.detachNewThread {
                        errorData = err.fileHandleForReading.readDataToEndOfFile()
                        errorRead.signal()
                    }
                } else {
                    errorRead.signal()
                }
                let outputData = out.fileHandleForReading.readDataToEndOfFile()
                errorRead.wait()
                process.waitUntilExit()
                continuation.resume(returning: Outcome(status: process.terminationStatus,
                                                       stdout: String(decoding: outputData, as: UTF8.self),
                                                       stderr: String(decoding: errorData, as: UTF8.self)))
            }
        }
    }
}

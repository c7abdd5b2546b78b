import Foundation

/// Runs a baseline script of `scripts/` that prints one JSON object, and reads its numbers.
enum PythonBaseline {
    /// The script's JSON numbers, or nil when it failed (its package not installed, say).
    static func run(_ script: String, _ arguments: [String]) throws -> [String: Double]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "scripts/\(script)"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let object = try? JSONSerialization.jsonObject(with: output) as? [String: Any]
        else { return nil }
        return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }
}

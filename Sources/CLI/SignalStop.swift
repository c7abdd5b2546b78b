import ArgumentParser
import Dispatch
import Foundation
import VeredictoCore

/// Turns the first SIGINT or SIGTERM into a call of `stop` (which cancels the work in progress,
/// so that what was done is written, marked incomplete); a second one ends the process at once.
final class SignalStop: @unchecked Sendable {
    /// Whether a SIGINT or SIGTERM has stopped work in this process.
    static let received = LockedValue(false)
    /// The exit code after a stop: 128 + SIGINT, as shells report it.
    static let exitCode = ExitCode(130)

    // @unchecked: the sources are set once in init and only cancelled afterwards.
    private var sources: [DispatchSourceSignal] = []

    init(_ stop: @escaping @Sendable (Int32) -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                // The next one is not caught: a second Ctrl-C stops at once.
                signal(SIGINT, SIG_DFL)
                signal(SIGTERM, SIG_DFL)
                stop(number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops listening and restores the default handling.
    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    /// Runs `body` in a task that the first SIGINT or SIGTERM cancels; says so on standard error.
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let work = Task { try await body() }
        let stop = SignalStop { number in
            FileHandle.standardError.write(Data("\n\(number == SIGINT ? "SIGINT" : "SIGTERM"): stopping; what was done is written, marked incomplete (again to quit at once)\n".utf8))
            received.withLock { $0 = true }
            work.cancel()
        }
        defer { stop.cancel() }
        return try await work.value
    }
}

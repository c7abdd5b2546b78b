import Foundation

@testable import Scoring

/// Forcing a kernel is process-wide and tests run in parallel: every test that forces one does
/// it through here, one at a time, so each checks the kernel it names and not another test's.
enum ForcedKernel {
    private static let lock = NSLock()

    /// Runs `body` with `kernel` forced; the kernel chosen at run time is restored after.
    static func with<T>(_ kernel: ScoringKernel, _ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        defer { try? ScoringKernel.force(nil) }
        try ScoringKernel.force(kernel)
        return try body()
    }

    /// Runs `body` while no test forces a kernel, so that what it reads of `ScoringKernel.active`
    /// is the kernel chosen at run time.
    static func unforced<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

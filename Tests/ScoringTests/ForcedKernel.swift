import Foundation

@testable import Scoring

/// Forcing a kernel is process-wide and tests run in parallel: every test that forces one does
/// it through here, one at a time, so each checks the kernel it names and not another test's.
///
/// A test waiting for its turn suspends; it does not block a thread. The test process's
/// cooperative pool has as many threads as cores (two on the development machine), and tests
/// blocked on a lock behind a long kernel comparison held all of them, stalling every other
/// test in the process for as long (an embedded pipeline test missed its 90 s deadline so).
enum ForcedKernel {
    private actor Gate {
        private var busy = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func enter() async {
            guard busy else {
                busy = true
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func leave() {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
    }

    private static let gate = Gate()

    /// Runs `body` with `kernel` forced; the kernel chosen at run time is restored after.
    static func with<T>(_ kernel: ScoringKernel, _ body: () throws -> T) async throws -> T {
        try await exclusively {
            defer { try? ScoringKernel.force(nil) }
            try ScoringKernel.force(kernel)
            return try body()
        }
    }

    /// Runs `body` while no test forces a kernel, so that what it reads of `ScoringKernel.active`
    /// is the kernel chosen at run time.
    static func unforced<T>(_ body: () throws -> T) async rethrows -> T {
        try await exclusively(body)
    }

    /// Runs `body` alone among the callers of this type, whether it returns or throws.
    private static func exclusively<T>(_ body: () throws -> T) async rethrows -> T {
        await gate.enter()
        do {
            let result = try body()
            await gate.leave()
            return result
        } catch {
            await gate.leave()
            throw error
        }
    }
}

import CScoring

/// Owns a `csc_arena`: the scratch memory one scorer reuses for every pair.
final class ScoringArena {
    private let handle: OpaquePointer

    init() throws {
        guard let handle = csc_arena_new() else {
            throw ScoringError(.outOfMemory, "cannot allocate a scoring arena")
        }
        self.handle = handle
    }

    deinit {
        csc_arena_free(handle)
    }

    func withPointer<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        try body(handle)
    }

    /// Heap allocations the arena has made (growth only; none per pair once warm).
    var allocations: UInt64 { csc_arena_allocations(handle) }
}

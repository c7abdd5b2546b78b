import Foundation
import Cache

/// A clock that tests move by hand.
///
/// `@unchecked Sendable`: the time is read and written only under `lock`.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var milliseconds: UInt64

    init(start: UInt64 = 1_000) {
        milliseconds = start
    }

    var now: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return milliseconds
    }

    func advance(by delta: UInt64) {
        lock.lock()
        milliseconds += delta
        lock.unlock()
    }

    var cacheClock: CacheClock {
        CacheClock { [self] in now }
    }
}

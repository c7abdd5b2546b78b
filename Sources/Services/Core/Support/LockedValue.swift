import Foundation

/// A value behind a lock: state shared between Swift callers and the C callbacks that librdkafka
/// runs on its own threads.
///
/// `@unchecked Sendable`: every access to `value` goes through `withLock`, and `Value` is `Sendable`.
package final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    package init(_ value: Value) {
        self.value = value
    }

    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

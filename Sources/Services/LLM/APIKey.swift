/// A secret credential for a model server. It never shows itself: printing, interpolating,
/// dumping or mirroring it yields `<redacted>` (or `none` when it is empty).
public struct APIKey: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key itself, for the one place that sends it.
    let secret: String

    public init(_ secret: String) {
        self.secret = secret
    }

    public var isEmpty: Bool { secret.isEmpty }

    public var description: String { isEmpty ? "none" : "<redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// What an `AnswerCache` has done since it was made (or since its counters were reset).
public struct CacheStats: Equatable, Sendable, CustomStringConvertible {
    /// `get` calls that found a live entry.
    public var hits = 0
    /// `get` calls that found no entry or an expired one.
    public var misses = 0
    /// Live entries removed by the policy to make room for a new key.
    public var evictions = 0
    /// Expired entries removed, whether met by `get`, `put` or `remove`, reclaimed to make room,
    /// or swept by `removeExpired()`.
    public var expirations = 0

    public init() {}

    /// `hits / (hits + misses)`, or 0 before the first `get`.
    public var hitRate: Double {
        let lookups = hits + misses
        return lookups == 0 ? 0 : Double(hits) / Double(lookups)
    }

    public var description: String {
        "hits=\(hits) misses=\(misses) evictions=\(evictions) expirations=\(expirations)"
    }
}

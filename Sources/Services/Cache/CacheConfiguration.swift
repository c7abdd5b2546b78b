import VeredictoCore
/// The answer cache's settings, from `CACHE_POLICY`, `CACHE_SIZE` and `CACHE_TTL`.
///
/// Equality compares the three settings, not the clock.
public struct CacheConfiguration: Equatable, Sendable, CustomStringConvertible {
    /// Eviction policy (`CACHE_POLICY`: lru, lfu or fifo; default lru).
    public var policy: CachePolicy
    /// Most entries held (`CACHE_SIZE`, default 1024, at least 1).
    public var capacity: Int
    /// Seconds an entry lives after it was written (`CACHE_TTL`, default 3600; 0 = no expiry).
    public var ttlSeconds: Int
    /// Where the cache reads the time: the system's monotonic clock in a deployment; an
    /// experiment gives its run's own clock, so that expiry is measured in the run's time.
    public var clock: CacheClock = .monotonic

    public static let defaultCapacity = 1024
    public static let defaultTTLSeconds = 3600

    public init(policy: CachePolicy = .lru, capacity: Int = defaultCapacity, ttlSeconds: Int = defaultTTLSeconds) {
        self.policy = policy
        self.capacity = capacity
        self.ttlSeconds = ttlSeconds
    }

    /// The settings from environment variables; absent or blank ones take their defaults.
    ///
    /// - Throws: `ConfigurationError` for a value that does not parse or is out of range.
    public init(environment: [String: String]) throws {
        let reader = EnvironmentReader(environment)
        self.init(
            policy: try reader.choice("CACHE_POLICY", default: .lru),
            capacity: try reader.integer("CACHE_SIZE", default: Self.defaultCapacity, in: 1...Int(Int32.max - 1)),
            ttlSeconds: try reader.integer("CACHE_TTL", default: Self.defaultTTLSeconds, in: 0...(Int.max / 1000)))
    }

    /// A cache with these settings, reading `clock` (by default the configuration's).
    public func makeCache<Value>(of _: Value.Type = Value.self, clock: CacheClock? = nil) -> AnswerCache<Value> {
        AnswerCache(policy: policy, capacity: capacity, ttl: .seconds(ttlSeconds), clock: clock ?? self.clock)
    }

    public static func == (a: CacheConfiguration, b: CacheConfiguration) -> Bool {
        a.policy == b.policy && a.capacity == b.capacity && a.ttlSeconds == b.ttlSeconds
    }

    public var description: String {
        "policy=\(policy) capacity=\(capacity) ttl=\(ttlSeconds == 0 ? "none" : "\(ttlSeconds)s")"
    }
}

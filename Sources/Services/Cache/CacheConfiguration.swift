import VeredictoCore
/// The answer cache's settings, from `CACHE_POLICY`, `CACHE_SIZE` and `CACHE_TTL`, and the
/// cache service's handling of misses: `FAILURE_TTL`, `COALESCE_MAX_WAITERS`,
/// `COALESCE_MAX_WAITERS_PER_QUESTION`, `CHAIN_TIMEOUT` and `STORAGE_LOOKUP_TIMEOUT_MS`.
///
/// Equality compares the three cache settings, not the clock (nor `onAsking`) nor the miss
/// handling.
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
    /// Told the creation time of each asking the cache service reads, before it looks it up:
    /// an experiment's clock follows the askings read (`ScheduleClock`). None in a deployment.
    public var onAsking: (@Sendable (Timestamp) -> Void)?
    /// Seconds a failed decision is remembered (`FAILURE_TTL`, default 5; 0 = not at all):
    /// an asking meanwhile is answered as failed instead of starting another LLM chain.
    public var failureTTLSeconds: Int = 5
    /// Askings held waiting for LLM chains in flight, in all (`COALESCE_MAX_WAITERS`, default
    /// 100,000) and for one question (`COALESCE_MAX_WAITERS_PER_QUESTION`, default 20,000). At
    /// either bound the cache service stops reading questions until chains are decided.
    public var maxWaiters: Int = 100_000
    public var maxWaitersPerQuestion: Int = 20_000
    /// Seconds a chain may stay in flight before its waiting askings start a new one
    /// (`CHAIN_TIMEOUT`, default 300): its decision went to another instance after a rebalance.
    public var chainTimeoutSeconds: Int = 300
    /// Longest wait for the storage lookup of a batch's misses (`STORAGE_LOOKUP_TIMEOUT_MS`,
    /// default 2000); past it, or when it fails, the misses go to the LLM. 0 (in code only, the
    /// variable takes 1 or more): no timeout, for a store in the process that answers at once.
    public var storageLookupTimeoutMilliseconds: Int = 2000

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
        failureTTLSeconds = try reader.integer("FAILURE_TTL", default: failureTTLSeconds, in: 0...86_400)
        maxWaiters = try reader.integer("COALESCE_MAX_WAITERS", default: maxWaiters, in: 1...100_000_000)
        maxWaitersPerQuestion = try reader.integer("COALESCE_MAX_WAITERS_PER_QUESTION", default: maxWaitersPerQuestion,
                                                   in: 1...100_000_000)
        chainTimeoutSeconds = try reader.integer("CHAIN_TIMEOUT", default: chainTimeoutSeconds, in: 1...86_400)
        storageLookupTimeoutMilliseconds = try reader.integer("STORAGE_LOOKUP_TIMEOUT_MS",
                                                              default: storageLookupTimeoutMilliseconds, in: 1...3_600_000)
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

import VeredictoCore
/// A bounded cache of answers keyed by question id, with an eviction policy (LRU, LFU or FIFO),
/// a time to live, and hit/miss/eviction/expiration counters.
///
/// Every operation is O(1) (amortized, hashing included). Entries live in slots of parallel
/// arrays, reused through a free list; lists are threaded through those arrays by index
/// (`IndexLinks`), so the cache allocates nothing per entry beyond its dictionary and keys:
/// - LRU and FIFO keep one *order* list, head = next victim. LRU moves an entry to the tail on
///   every use; FIFO only appends new keys.
/// - LFU keeps use-count buckets (`FrequencyBuckets`): the victim is the least frequently used
///   entry, and among those the least recently used.
/// - Every policy also keeps a *write* list, head = oldest write. As all entries have the same
///   time to live, it is also the expiry order: a full cache reclaims its oldest entry when that
///   one has expired, rather than evicting a live entry, and `removeExpired()` sweeps from the head.
///
/// Time to live counts from the last `put` of a key; a `get` does not extend it. An expired entry
/// is a miss, and is removed when an operation meets it. `count` includes expired entries not yet
/// met (call `removeExpired()` first for an exact count of live ones).
///
/// Not thread-safe by itself: it is a value type with `mutating` operations, meant to be owned by
/// one cache service (an actor, or a single task) that serializes access to it.
public struct AnswerCache<Value> {
    public let policy: CachePolicy
    public let capacity: Int
    /// Time to live in milliseconds; 0 = entries never expire.
    public let ttlMilliseconds: UInt64
    public private(set) var stats = CacheStats()

    private let clock: CacheClock
    private var slotOfKey: [String: Int32] = [:]
    private var keys: [String] = []
    private var values: [Value?] = []
    private var expiresAt: [UInt64] = []
    private var freeSlots: [Int32] = []
    /// LRU/FIFO: victim order. Unused by LFU.
    private var orderLinks = IndexLinks()
    private var order = IndexList()
    /// Write order, head = oldest write = earliest expiry.
    private var writeLinks = IndexLinks()
    private var writes = IndexList()
    /// LFU: use-count buckets. Empty for the other policies.
    private var frequencies = FrequencyBuckets()

    /// A cache holding at most `capacity` (>= 1) entries, each for `ttl` after it was written
    /// (`.zero` = no expiry), with time read from `clock`.
    public init(policy: CachePolicy, capacity: Int, ttl: Duration = .seconds(3600), clock: CacheClock = .monotonic) {
        precondition(capacity >= 1 && capacity < Int(Int32.max), "cache capacity must be from 1 to \(Int32.max - 1)")
        precondition(ttl >= .zero, "cache time to live must not be negative")
        self.policy = policy
        self.capacity = capacity
        self.ttlMilliseconds = UInt64(ttl.wholeMilliseconds)
        self.clock = clock
        slotOfKey.reserveCapacity(min(capacity, 1 << 16))
    }

    /// Entries held, including expired ones that no operation has met yet.
    public var count: Int { slotOfKey.count }

    public var isEmpty: Bool { slotOfKey.isEmpty }

    /// `stats.hitRate`: hits over lookups, 0 before the first lookup.
    public var hitRate: Double { stats.hitRate }

    /// The live value of `key`, counting a hit (and, for LRU and LFU, a use), or `nil`, counting a
    /// miss (an expired entry is removed and counted as an expiration too).
    public mutating func get(_ key: String) -> Value? {
        guard let slot = slotOfKey[key] else {
            stats.misses += 1
            return nil
        }
        if expiresAt[Int(slot)] <= clock.now() {
            removeSlot(slot)
            stats.expirations += 1
            stats.misses += 1
            return nil
        }
        stats.hits += 1
        touch(slot)
        return values[Int(slot)]
    }

    /// The live value of `key` without counting a lookup or a use, or `nil`.
    public func peek(_ key: String) -> Value? {
        guard let slot = slotOfKey[key], expiresAt[Int(slot)] > clock.now() else { return nil }
        return values[Int(slot)]
    }

    /// Stores `value` for `key` and restarts its time to live.
    ///
    /// A present key keeps its slot: LRU makes it the most recent, LFU counts a use, FIFO leaves its
    /// place in line. A new key in a full cache first reclaims the oldest entry if it has expired,
    /// else evicts the policy's victim.
    public mutating func put(_ key: String, _ value: Value) {
        let now = clock.now()
        if let slot = slotOfKey[key] {
            if expiresAt[Int(slot)] > now {
                values[Int(slot)] = value
                expiresAt[Int(slot)] = expiry(from: now)
                writeLinks.moveToTail(slot, in: &writes)
                touch(slot)
                return
            }
            removeSlot(slot)
            stats.expirations += 1
        }
        if slotOfKey.count >= capacity {
            let oldest = writes.head
            if expiresAt[Int(oldest)] <= now {
                removeSlot(oldest)
                stats.expirations += 1
            } else {
                removeSlot(victim)
                stats.evictions += 1
            }
        }
        insert(key, value, expiresAt: expiry(from: now))
    }

    /// Removes `key`, returning its value if it was live (an expired one counts as an expiration).
    @discardableResult
    public mutating func remove(_ key: String) -> Value? {
        guard let slot = slotOfKey[key] else { return nil }
        let value = expiresAt[Int(slot)] > clock.now() ? values[Int(slot)] : nil
        if value == nil { stats.expirations += 1 }
        removeSlot(slot)
        return value
    }

    /// Removes every expired entry; returns how many. Costs O(1) per entry removed, plus one check.
    @discardableResult
    public mutating func removeExpired() -> Int {
        let now = clock.now()
        var removed = 0
        while !writes.isEmpty && expiresAt[Int(writes.head)] <= now {
            removeSlot(writes.head)
            removed += 1
        }
        stats.expirations += removed
        return removed
    }

    /// Removes every entry; counters are kept.
    public mutating func removeAll() {
        for slot in writeLinks.nodes(of: writes) { removeSlot(slot) }
    }

    /// Sets every counter back to zero.
    public mutating func resetStats() {
        stats = CacheStats()
    }

    /// Keys held, next victim first (O(n); for inspection and tests). Expired entries included.
    public func keysInEvictionOrder() -> [String] {
        let slots = policy == .lfu ? frequencies.entriesInEvictionOrder() : orderLinks.nodes(of: order)
        return slots.map { keys[Int($0)] }
    }

    /// LFU uses counted for `key`, or `nil` when absent or for another policy (for tests).
    func uses(of key: String) -> UInt64? {
        guard policy == .lfu, let slot = slotOfKey[key] else { return nil }
        return frequencies.uses(of: slot)
    }

    // MARK: - Slots

    private func expiry(from now: UInt64) -> UInt64 {
        ttlMilliseconds == 0 ? .max : now &+ ttlMilliseconds
    }

    private var victim: Int32 {
        policy == .lfu ? frequencies.victim : order.head
    }

    /// Records a use of a present entry.
    private mutating func touch(_ slot: Int32) {
        switch policy {
        case .lru: orderLinks.moveToTail(slot, in: &order)
        case .lfu: frequencies.touch(slot)
        case .fifo: break
        }
    }

    private mutating func insert(_ key: String, _ value: Value, expiresAt expiry: UInt64) {
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
            keys[Int(slot)] = key
            values[Int(slot)] = value
            expiresAt[Int(slot)] = expiry
        } else {
            slot = Int32(keys.count)
            keys.append(key)
            values.append(value)
            expiresAt.append(expiry)
            _ = writeLinks.addNode()
            if policy == .lfu { frequencies.ensureSlot(slot) } else { _ = orderLinks.addNode() }
        }
        slotOfKey[key] = slot
        writeLinks.append(slot, to: &writes)
        if policy == .lfu { frequencies.insert(slot) } else { orderLinks.append(slot, to: &order) }
    }

    private mutating func removeSlot(_ slot: Int32) {
        slotOfKey.removeValue(forKey: keys[Int(slot)])
        keys[Int(slot)] = ""
        values[Int(slot)] = nil
        writeLinks.remove(slot, from: &writes)
        if policy == .lfu { frequencies.remove(slot) } else { orderLinks.remove(slot, from: &order) }
        freeSlots.append(slot)
    }
}

extension AnswerCache: Sendable where Value: Sendable {}

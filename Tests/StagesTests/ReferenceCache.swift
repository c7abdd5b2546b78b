import Cache
import Stages

/// The answer cache's contract written the obvious way: an array of entries searched linearly.
/// The differential test runs it beside `AnswerCache` and compares every result.
struct ReferenceCache {
    struct Entry {
        var key: String
        var value: Int
        var expiresAt: UInt64
        var inserted: Int  // sequence number of the insertion (FIFO order)
        var written: Int  // sequence number of the last put (expiry order)
        var used: Int  // sequence number of the last use (LRU order, LFU ties)
        var uses: Int
    }

    let policy: CachePolicy
    let capacity: Int
    let ttl: UInt64
    var entries: [Entry] = []
    var stats = CacheStats()
    private var sequence = 0

    init(policy: CachePolicy, capacity: Int, ttl: UInt64) {
        self.policy = policy
        self.capacity = capacity
        self.ttl = ttl
    }

    private mutating func tick() -> Int {
        sequence += 1
        return sequence
    }

    private func expiry(_ now: UInt64) -> UInt64 { ttl == 0 ? .max : now + ttl }

    mutating func get(_ key: String, now: UInt64) -> Int? {
        guard let index = entries.firstIndex(where: { $0.key == key }) else {
            stats.misses += 1
            return nil
        }
        if entries[index].expiresAt <= now {
            entries.remove(at: index)
            stats.expirations += 1
            stats.misses += 1
            return nil
        }
        stats.hits += 1
        use(index)
        return entries[index].value
    }

    private mutating func use(_ index: Int) {
        switch policy {
        case .lru: entries[index].used = tick()
        case .lfu:
            entries[index].used = tick()
            entries[index].uses += 1
        case .fifo: break
        }
    }

    mutating func put(_ key: String, _ value: Int, now: UInt64) {
        if let index = entries.firstIndex(where: { $0.key == key }) {
            if entries[index].expiresAt > now {
                entries[index].value = value
                entries[index].expiresAt = expiry(now)
                entries[index].written = tick()
                use(index)
                return
            }
            entries.remove(at: index)
            stats.expirations += 1
        }
        if entries.count >= capacity {
            let oldest = entries.indices.min { entries[$0].written < entries[$1].written }!
            if entries[oldest].expiresAt <= now {
                entries.remove(at: oldest)
                stats.expirations += 1
            } else {
                entries.remove(at: victimIndex())
                stats.evictions += 1
            }
        }
        let stamp = tick()
        entries.append(Entry(key: key, value: value, expiresAt: expiry(now), inserted: stamp, written: stamp,
                             used: stamp, uses: 1))
    }

    mutating func remove(_ key: String, now: UInt64) -> Int? {
        guard let index = entries.firstIndex(where: { $0.key == key }) else { return nil }
        let entry = entries.remove(at: index)
        if entry.expiresAt <= now {
            stats.expirations += 1
            return nil
        }
        return entry.value
    }

    mutating func removeExpired(now: UInt64) -> Int {
        let before = entries.count
        entries.removeAll { $0.expiresAt <= now }
        stats.expirations += before - entries.count
        return before - entries.count
    }

    private func precedes(_ a: Entry, _ b: Entry) -> Bool {
        switch policy {
        case .lru: a.used < b.used
        case .lfu: (a.uses, a.used) < (b.uses, b.used)
        case .fifo: a.inserted < b.inserted
        }
    }

    private func victimIndex() -> Int {
        entries.indices.min { precedes(entries[$0], entries[$1]) }!
    }

    func keysInEvictionOrder() -> [String] {
        entries.sorted(by: precedes).map(\.key)
    }
}

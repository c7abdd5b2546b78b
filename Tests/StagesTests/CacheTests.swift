import Testing

@testable import Cache
@testable import VeredictoCore

@Suite struct CacheTests {
    static func cache(_ policy: CachePolicy, capacity: Int, ttlSeconds: Int = 0, clock: ManualClock = ManualClock())
        -> AnswerCache<Int>
    {
        AnswerCache(policy: policy, capacity: capacity, ttl: .seconds(ttlSeconds), clock: clock.cacheClock)
    }

    // MARK: - Eviction order

    @Test func lruEvictsTheLeastRecentlyUsed() {
        var cache = Self.cache(.lru, capacity: 3)
        cache.put("a", 1)
        cache.put("b", 2)
        cache.put("c", 3)
        #expect(cache.get("a") == 1)  // order now b, c, a
        cache.put("d", 4)  // evicts b
        #expect(cache.keysInEvictionOrder() == ["c", "a", "d"])
        #expect(cache.get("b") == nil)
        cache.put("c", 30)  // an update is a use: a, d, c
        cache.put("e", 5)  // evicts a
        #expect(cache.keysInEvictionOrder() == ["d", "c", "e"])
        #expect(cache.get("c") == 30)
        #expect(cache.stats.evictions == 2)
    }

    @Test func fifoEvictsInInsertionOrderWhateverIsRead() {
        var cache = Self.cache(.fifo, capacity: 3)
        cache.put("a", 1)
        cache.put("b", 2)
        cache.put("c", 3)
        for _ in 0..<5 { #expect(cache.get("a") == 1) }  // reads do not refresh
        cache.put("b", 20)  // nor does an update
        cache.put("d", 4)  // evicts a
        #expect(cache.keysInEvictionOrder() == ["b", "c", "d"])
        cache.put("e", 5)  // evicts b
        #expect(cache.get("a") == nil)
        #expect(cache.get("b") == nil)
        #expect(cache.keysInEvictionOrder() == ["c", "d", "e"])
        cache.remove("d")
        cache.put("f", 6)  // room left by the removal: nothing evicted
        cache.put("a", 1)  // full again: evicts c; a, back after its eviction, goes to the end
        #expect(cache.keysInEvictionOrder() == ["e", "f", "a"])
        #expect(cache.stats.evictions == 3)
    }

    @Test func lfuEvictsTheLeastFrequentlyUsedThenTheLeastRecent() {
        var cache = Self.cache(.lfu, capacity: 3)
        cache.put("a", 1)
        cache.put("b", 2)
        cache.put("c", 3)
        _ = cache.get("a")
        _ = cache.get("a")  // a: 3 uses
        _ = cache.get("b")  // b: 2 uses, c: 1 use
        #expect(cache.uses(of: "a") == 3)
        cache.put("d", 4)  // evicts c (fewest uses)
        #expect(cache.get("c") == nil)
        #expect(cache.keysInEvictionOrder() == ["d", "b", "a"])
        _ = cache.get("d")  // d: 2 uses, reached after b did: b goes first among the 2-use entries
        #expect(cache.keysInEvictionOrder() == ["b", "d", "a"])
        cache.put("e", 5)  // evicts b
        #expect(cache.keysInEvictionOrder() == ["e", "d", "a"])
        cache.put("f", 6)  // evicts e: new entries are the most exposed
        #expect(cache.keysInEvictionOrder() == ["f", "d", "a"])
        cache.put("d", 40)  // an update counts one use: d has 3, after a reached 3
        #expect(cache.uses(of: "d") == 3)
        #expect(cache.keysInEvictionOrder() == ["f", "a", "d"])
        #expect(cache.stats.evictions == 3)
    }

    @Test func lfuTieAmongEqualCountsIsLeastRecentlyUsed() {
        var cache = Self.cache(.lfu, capacity: 4)
        for key in ["a", "b", "c", "d"] { cache.put(key, 0) }
        for key in ["c", "a", "d", "b"] { _ = cache.get(key) }  // all at 2 uses, reached in this order
        #expect(cache.keysInEvictionOrder() == ["c", "a", "d", "b"])
        cache.put("e", 0)
        #expect(cache.get("c") == nil)
    }

    @Test func capacityOneKeepsOnlyTheLastKey() {
        for policy in CachePolicy.allCases {
            var cache = Self.cache(policy, capacity: 1)
            cache.put("a", 1)
            #expect(cache.get("a") == 1)
            cache.put("a", 2)
            #expect(cache.count == 1)
            cache.put("b", 3)
            #expect(cache.count == 1)
            #expect(cache.get("a") == nil)
            #expect(cache.get("b") == 3)
            #expect(cache.keysInEvictionOrder() == ["b"])
            #expect(cache.stats == { var s = CacheStats(); s.hits = 2; s.misses = 1; s.evictions = 1; return s }())
        }
    }

    // MARK: - Time to live

    @Test func entriesExpireAfterTheirTimeToLive() {
        for policy in CachePolicy.allCases {
            let clock = ManualClock()
            var cache = Self.cache(policy, capacity: 10, ttlSeconds: 60, clock: clock)
            cache.put("a", 1)
            clock.advance(by: 30_000)
            cache.put("b", 2)
            #expect(cache.get("a") == 1)  // a read does not extend the time to live
            clock.advance(by: 29_999)
            #expect(cache.get("a") == 1)
            clock.advance(by: 1)  // a is 60 s old
            #expect(cache.get("a") == nil)
            #expect(cache.count == 1)  // removed when met
            #expect(cache.stats.expirations == 1)
            cache.put("b", 20)  // a put restarts b's time to live
            clock.advance(by: 59_999)
            #expect(cache.peek("b") == 20)
            clock.advance(by: 1)
            #expect(cache.peek("b") == nil)
            #expect(cache.remove("b") == nil)  // removing an expired entry counts it
            #expect(cache.stats.expirations == 2)
            #expect(cache.stats.hits == 2 && cache.stats.misses == 1)
        }
    }

    @Test func noExpiryWhenTimeToLiveIsZero() {
        let clock = ManualClock()
        var cache = Self.cache(.lru, capacity: 2, ttlSeconds: 0, clock: clock)
        cache.put("a", 1)
        clock.advance(by: UInt64(1) << 50)
        #expect(cache.get("a") == 1)
        #expect(cache.removeExpired() == 0)
    }

    @Test func aFullCacheReclaimsAnExpiredEntryBeforeEvicting() {
        let clock = ManualClock()
        var cache = Self.cache(.lfu, capacity: 2, ttlSeconds: 10, clock: clock)
        cache.put("old", 1)
        clock.advance(by: 5_000)
        cache.put("hot", 2)
        for _ in 0..<3 { _ = cache.get("old") }
        clock.advance(by: 5_000)  // old has expired; it would not be the LFU victim
        cache.put("new", 3)
        #expect(cache.stats.evictions == 0)
        #expect(cache.stats.expirations == 1)
        #expect(Set(cache.keysInEvictionOrder()) == ["hot", "new"])
    }

    @Test func removeExpiredSweepsOnlyExpiredEntries() {
        let clock = ManualClock()
        var cache = Self.cache(.fifo, capacity: 100, ttlSeconds: 1, clock: clock)
        for i in 0..<10 {
            cache.put("k\(i)", i)
            clock.advance(by: 100)
        }
        // Written at 0, 100, ..., 900 ms after start; now is 1000 ms after start.
        #expect(cache.removeExpired() == 1)
        clock.advance(by: 450)
        #expect(cache.removeExpired() == 4)
        #expect(cache.keysInEvictionOrder() == ["k5", "k6", "k7", "k8", "k9"])
        #expect(cache.stats.expirations == 5)
    }

    // MARK: - Counters and configuration

    @Test func statsCountHitsMissesEvictionsAndExpirations() {
        let clock = ManualClock()
        var cache = Self.cache(.lru, capacity: 2, ttlSeconds: 1, clock: clock)
        #expect(cache.hitRate == 0)
        _ = cache.get("x")  // miss
        cache.put("a", 1)
        cache.put("b", 2)
        _ = cache.get("a")  // hit
        _ = cache.get("b")  // hit
        cache.put("c", 3)  // evicts a
        _ = cache.get("a")  // miss
        clock.advance(by: 1_000)
        _ = cache.get("b")  // expired: miss + expiration
        cache.put("d", 4)  // room left by b: nothing removed
        var expected = CacheStats()
        expected.hits = 2
        expected.misses = 3
        expected.evictions = 1
        expected.expirations = 1
        #expect(cache.stats == expected)
        #expect(cache.hitRate == 0.4)
        cache.put("e", 5)  // full (c expired, d live): c reclaimed
        expected.expirations = 2
        #expect(cache.stats == expected)
        cache.resetStats()
        #expect(cache.stats == CacheStats())
    }

    @Test func policyAndConfigurationParse() throws {
        #expect(try CachePolicy(parsing: " LFU ") == .lfu)
        #expect(throws: ConfigurationError.self) { try CachePolicy(parsing: "random") }
        do {
            _ = try CachePolicy(parsing: "mru")
        } catch {
            #expect("\(error)" == "CACHE_POLICY must be one of lru, lfu, fifo (got 'mru')")
        }
        let defaults = try CacheConfiguration(environment: [:])
        #expect(defaults == CacheConfiguration(policy: .lru, capacity: 1024, ttlSeconds: 3600))
        let set = try CacheConfiguration(environment: ["CACHE_POLICY": "fifo", "CACHE_SIZE": "7", "CACHE_TTL": "0"])
        #expect(set == CacheConfiguration(policy: .fifo, capacity: 7, ttlSeconds: 0))
        #expect(throws: ConfigurationError.self) { try CacheConfiguration(environment: ["CACHE_SIZE": "0"]) }
        #expect(throws: ConfigurationError.self) { try CacheConfiguration(environment: ["CACHE_TTL": "-1"]) }
        #expect(throws: ConfigurationError.self) { try CacheConfiguration(environment: ["CACHE_SIZE": "lots"]) }
        let cache: AnswerCache<String> = set.makeCache()
        #expect(cache.capacity == 7 && cache.policy == .fifo && cache.ttlMilliseconds == 0)
    }

    // MARK: - Differential test

    @Test(arguments: CachePolicy.allCases)
    func behavesLikeTheReferenceModel(policy: CachePolicy) {
        var random = SplitMix64(seed: 0x5EED_0000 + UInt64(CachePolicy.allCases.firstIndex(of: policy)!))
        let clock = ManualClock()
        let capacity = 48
        let ttlMilliseconds: UInt64 = 100
        var cache = AnswerCache<Int>(policy: policy, capacity: capacity, ttl: .milliseconds(100),
                                     clock: clock.cacheClock)
        var reference = ReferenceCache(policy: policy, capacity: capacity, ttl: ttlMilliseconds)
        // Keys drawn with a skew, so some are hot (LFU counts diverge) and most are cold.
        let keys = (0..<120).map { "q\($0)" }
        func key() -> String {
            let u = random.unit()
            return keys[Int(u * u * Double(keys.count))]
        }
        var mismatches = 0
        for step in 0..<100_000 {
            // Time crawls in some stretches (evictions dominate) and runs in others (expiry does).
            let tickOdds: UInt64 = (step / 2_500) % 2 == 0 ? 64 : 3
            clock.advance(by: random.next() % tickOdds == 0 ? random.next() % 6 : 0)
            let now = clock.now
            let roll = random.next() % 100
            if roll < 50 {
                let k = key()
                if cache.get(k) != reference.get(k, now: now) { mismatches += 1 }
            } else if roll < 92 {
                let k = key()
                let v = Int(random.next() % 1_000)
                cache.put(k, v)
                reference.put(k, v, now: now)
            } else if roll < 98 {
                let k = key()
                if cache.remove(k) != reference.remove(k, now: now) { mismatches += 1 }
            } else {
                if cache.removeExpired() != reference.removeExpired(now: now) { mismatches += 1 }
            }
            if cache.stats != reference.stats || cache.count != reference.entries.count { mismatches += 1 }
            if step % 997 == 0 && cache.keysInEvictionOrder() != reference.keysInEvictionOrder() { mismatches += 1 }
            if mismatches > 0 {
                Issue.record("\(policy): first mismatch at step \(step)")
                break
            }
        }
        #expect(cache.keysInEvictionOrder() == reference.keysInEvictionOrder())
        #expect(cache.stats.evictions > 1_000 && cache.stats.expirations > 1_000 && cache.stats.hits > 10_000)
    }
}

/// O(1) least-frequently-used bookkeeping, after Shah, Mitra and Matani's "An O(1) algorithm for
/// implementing the LFU cache eviction scheme" (2010).
///
/// Entries with the same use count share a bucket; buckets form a list in ascending count order,
/// and each bucket lists its entries in the order they reached that count (head = longest ago).
/// A use moves an entry to the tail of the bucket for count + 1 (created next to its bucket when
/// missing; an entry alone in its bucket just relabels the bucket), so every operation is a
/// constant number of list edits. The victim is the head of the lowest bucket: the least
/// frequently used entry and, among equals, the least recently used one, because an entry enters
/// its current bucket exactly when it is last used.
///
/// Entries and buckets are slot numbers in arrays, reused through free lists: no allocation per
/// operation once the arrays have grown. There are never more buckets than entries.
struct FrequencyBuckets: Sendable {
    /// Links entries within their bucket.
    private var entryLinks = IndexLinks()
    /// Bucket of each entry slot (`-1` when the slot is not in use).
    private var entryBucket: [Int32] = []
    /// Links buckets in ascending use-count order.
    private var bucketLinks = IndexLinks()
    private var buckets = IndexList()
    private var bucketUses: [UInt64] = []
    private var bucketEntries: [IndexList] = []
    private var freeBuckets: [Int32] = []

    /// Makes room for entry slots up to `slot` (slots are added in order by the cache).
    mutating func ensureSlot(_ slot: Int32) {
        while entryLinks.nodeCount <= Int(slot) {
            _ = entryLinks.addNode()
            entryBucket.append(-1)
        }
    }

    /// Adds `entry` with one use.
    mutating func insert(_ entry: Int32) {
        ensureSlot(entry)
        var bucket = buckets.head
        if bucket < 0 || bucketUses[Int(bucket)] != 1 {
            bucket = makeBucket(uses: 1, after: -1)
        }
        entryLinks.append(entry, to: &bucketEntries[Int(bucket)])
        entryBucket[Int(entry)] = bucket
    }

    /// Counts one more use of `entry`.
    mutating func touch(_ entry: Int32) {
        let bucket = entryBucket[Int(entry)]
        let uses = bucketUses[Int(bucket)]
        let following = bucketLinks.successor(of: bucket)
        let alone = bucketEntries[Int(bucket)].head == bucketEntries[Int(bucket)].tail
        if following >= 0 && bucketUses[Int(following)] == uses + 1 {
            entryLinks.remove(entry, from: &bucketEntries[Int(bucket)])
            entryLinks.append(entry, to: &bucketEntries[Int(following)])
            entryBucket[Int(entry)] = following
            if alone { freeBucket(bucket) }
        } else if alone {
            bucketUses[Int(bucket)] = uses + 1
        } else {
            let target = makeBucket(uses: uses + 1, after: bucket)
            entryLinks.remove(entry, from: &bucketEntries[Int(bucket)])
            entryLinks.append(entry, to: &bucketEntries[Int(target)])
            entryBucket[Int(entry)] = target
        }
    }

    /// Forgets `entry`.
    mutating func remove(_ entry: Int32) {
        let bucket = entryBucket[Int(entry)]
        entryLinks.remove(entry, from: &bucketEntries[Int(bucket)])
        entryBucket[Int(entry)] = -1
        if bucketEntries[Int(bucket)].isEmpty { freeBucket(bucket) }
    }

    /// The entry to evict, or `-1` when there is none.
    var victim: Int32 {
        buckets.isEmpty ? -1 : bucketEntries[Int(buckets.head)].head
    }

    /// Uses counted for `entry`.
    func uses(of entry: Int32) -> UInt64 {
        bucketUses[Int(entryBucket[Int(entry)])]
    }

    /// Every entry, next victim first (O(n), for inspection and tests).
    func entriesInEvictionOrder() -> [Int32] {
        bucketLinks.nodes(of: buckets).flatMap { entryLinks.nodes(of: bucketEntries[Int($0)]) }
    }

    private mutating func makeBucket(uses: UInt64, after anchor: Int32) -> Int32 {
        let bucket: Int32
        if let reused = freeBuckets.popLast() {
            bucket = reused
            bucketUses[Int(bucket)] = uses
        } else {
            bucket = bucketLinks.addNode()
            bucketUses.append(uses)
            bucketEntries.append(IndexList())
        }
        bucketLinks.insert(bucket, after: anchor, in: &buckets)
        return bucket
    }

    private mutating func freeBucket(_ bucket: Int32) {
        bucketLinks.remove(bucket, from: &buckets)
        bucketEntries[Int(bucket)] = IndexList()
        freeBuckets.append(bucket)
    }
}

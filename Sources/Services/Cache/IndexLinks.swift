/// The two ends of a list threaded through an `IndexLinks`; `-1` when the list is empty.
struct IndexList: Sendable {
    var head: Int32 = -1
    var tail: Int32 = -1

    var isEmpty: Bool { head < 0 }
}

/// Doubly linked lists threaded through two index arrays: node `i`'s neighbours are `previous[i]`
/// and `next[i]`, and `-1` ends a list.
///
/// Nodes are slot numbers of arrays kept by the owner, so linking, unlinking and moving a node cost
/// a few array writes and no allocation. One `IndexLinks` may carry several disjoint lists (one
/// `IndexList` each); a node is on at most one of them at a time.
struct IndexLinks: Sendable {
    private var previous: [Int32] = []
    private var next: [Int32] = []

    /// Number of nodes (linked or not).
    var nodeCount: Int { next.count }

    /// Adds an unlinked node and returns its number, which is the previous `nodeCount`.
    mutating func addNode() -> Int32 {
        previous.append(-1)
        next.append(-1)
        return Int32(next.count - 1)
    }

    mutating func reserveCapacity(_ count: Int) {
        previous.reserveCapacity(count)
        next.reserveCapacity(count)
    }

    /// The node after `node` on its list, or `-1`.
    func successor(of node: Int32) -> Int32 { next[Int(node)] }

    /// Links the unlinked `node` at the tail of `list`.
    mutating func append(_ node: Int32, to list: inout IndexList) {
        insert(node, after: list.tail, in: &list)
    }

    /// Links the unlinked `node` right after `anchor` (at the head when `anchor` is `-1`).
    mutating func insert(_ node: Int32, after anchor: Int32, in list: inout IndexList) {
        let following = anchor < 0 ? list.head : next[Int(anchor)]
        previous[Int(node)] = anchor
        next[Int(node)] = following
        if anchor < 0 { list.head = node } else { next[Int(anchor)] = node }
        if following < 0 { list.tail = node } else { previous[Int(following)] = node }
    }

    /// Unlinks `node` from `list`, which must hold it.
    mutating func remove(_ node: Int32, from list: inout IndexList) {
        let before = previous[Int(node)]
        let after = next[Int(node)]
        if before < 0 { list.head = after } else { next[Int(before)] = after }
        if after < 0 { list.tail = before } else { previous[Int(after)] = before }
        previous[Int(node)] = -1
        next[Int(node)] = -1
    }

    /// Moves `node`, which `list` holds, to the tail of `list`.
    mutating func moveToTail(_ node: Int32, in list: inout IndexList) {
        guard list.tail != node else { return }
        remove(node, from: &list)
        append(node, to: &list)
    }

    /// The nodes of `list` from head to tail (O(n), for inspection and tests).
    func nodes(of list: IndexList) -> [Int32] {
        var out: [Int32] = []
        var node = list.head
        while node >= 0 {
            out.append(node)
            node = next[Int(node)]
        }
        return out
    }
}

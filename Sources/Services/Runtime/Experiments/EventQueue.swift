/// The pending events of a simulated run, taken in order of virtual time and, at equal times, in
/// the order they were scheduled: a binary min-heap on (time, sequence), so the order never
/// depends on anything but the run's own history.
struct EventQueue<Payload> {
    struct Event {
        let time: Int64
        let sequence: Int
        let payload: Payload
    }

    private var heap: [Event] = []
    private var scheduled = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// Schedules `payload` at `time` (microseconds).
    mutating func schedule(_ payload: Payload, at time: Int64) {
        heap.append(Event(time: time, sequence: scheduled, payload: payload))
        scheduled += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// The earliest event, removed.
    mutating func next() -> Event? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && Self.precedes(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count && Self.precedes(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }

    private static func precedes(_ a: Event, _ b: Event) -> Bool {
        a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }
}

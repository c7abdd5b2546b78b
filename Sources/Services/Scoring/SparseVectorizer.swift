import CScoring

/// A normalized corpus-mode TF-IDF vector with term ids sorted ascending.
public struct SparseVector: Sendable {
    public fileprivate(set) var terms: [UInt64]
    public fileprivate(set) var weights: [Double]

    /// Cosine similarity with another normalized vector (intersection of sorted ids).
    public func dot(_ other: SparseVector) -> Double {
        terms.withUnsafeBufferPointer { ta in
            weights.withUnsafeBufferPointer { wa in
                other.terms.withUnsafeBufferPointer { tb in
                    other.weights.withUnsafeBufferPointer { wb in
                        var a = csc_vector(terms: UnsafeMutablePointer(mutating: ta.baseAddress),
                                           weights: UnsafeMutablePointer(mutating: wa.baseAddress),
                                           count: UInt32(ta.count), capacity: UInt32(ta.count))
                        var b = csc_vector(terms: UnsafeMutablePointer(mutating: tb.baseAddress),
                                           weights: UnsafeMutablePointer(mutating: wb.baseAddress),
                                           count: UInt32(tb.count), capacity: UInt32(tb.count))
                        return csc_vector_dot(&a, &b)
                    }
                }
            }
        }
    }
}

/// Vectorizes texts against a corpus model, so that a reference scored against many
/// answers (the regenerations of one question) is tokenized once.
public final class SparseVectorizer {
    public let model: IDFModel
    private let arena: ScoringArena

    public init(model: IDFModel) throws {
        self.model = model
        self.arena = try ScoringArena()
    }

    public func vector(of text: String) -> SparseVector {
        var text = text
        var capacity = 64
        while true {
            var terms = [UInt64](repeating: 0, count: capacity)
            var weights = [Double](repeating: 0, count: capacity)
            let needed = text.withUTF8 { bytes in
                terms.withUnsafeMutableBufferPointer { t in
                    weights.withUnsafeMutableBufferPointer { w in
                        var vector = csc_vector(terms: t.baseAddress, weights: w.baseAddress, count: 0,
                                                capacity: UInt32(capacity))
                        return arena.withPointer { arena in
                            model.withHandle { model in
                                csc_vectorize(arena, model, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                              bytes.count, &vector)
                            }
                        }
                    }
                }
            }
            precondition(needed >= 0, "scoring arena out of memory")
            if needed <= capacity {
                terms.removeLast(capacity - needed)
                weights.removeLast(capacity - needed)
                return SparseVector(terms: terms, weights: weights)
            }
            capacity = needed
        }
    }
}

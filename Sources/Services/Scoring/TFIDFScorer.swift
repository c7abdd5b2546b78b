import CScoring

/// Scores LLM answers against human best answers by TF-IDF cosine similarity.
///
/// A scorer owns its scratch arena: use one per thread (it is not `Sendable`). Scoring
/// allocates nothing once the arena has grown to the largest texts seen.
public final class TFIDFScorer {
    /// The corpus model, or `nil` in `pair` mode.
    public let model: IDFModel?
    private let arena: ScoringArena

    /// A scorer in `pair` mode (IDF fitted on each pair, as scikit-learn).
    public convenience init() throws {
        try self.init(model: nil)
    }

    /// A scorer in `corpus` mode with `model`, or in `pair` mode when `model` is `nil`.
    public init(model: IDFModel?) throws {
        self.model = model
        self.arena = try ScoringArena()
    }

    /// The IDF mode of this scorer.
    public var mode: IDFMode { model == nil ? .pair : .corpus }

    /// Heap allocations made by this scorer's arena so far.
    public var arenaAllocations: UInt64 { arena.allocations }

    /// Cosine similarity in [0, 1] of `answer` against `reference` (0 when either has no token).
    public func score(answer: String, reference: String) -> Double {
        var answer = answer
        var reference = reference
        return reference.withUTF8 { ref in
            answer.withUTF8 { ans in score(answer: UnsafeRawBufferPointer(ans), reference: UnsafeRawBufferPointer(ref)) }
        }
    }

    /// Cosine similarity of UTF-8 texts, read in place.
    public func score(answer: UnsafeRawBufferPointer, reference: UnsafeRawBufferPointer) -> Double {
        let result = arena.withPointer { arena in
            withModel { model in
                csc_score(arena, model,
                          reference.baseAddress?.assumingMemoryBound(to: CChar.self), reference.count,
                          answer.baseAddress?.assumingMemoryBound(to: CChar.self), answer.count)
            }
        }
        precondition(!result.isNaN, "scoring arena out of memory")
        return result
    }

    /// Scores every pair of `batch` into `scores` (resized to the batch's count).
    public func score(_ batch: ScoringBatch, into scores: inout [Double]) {
        let count = batch.count
        if scores.count != count { scores = [Double](repeating: 0, count: count) }
        let status = scores.withUnsafeMutableBufferPointer { out in
            batch.bytes.withUnsafeBufferPointer { bytes in
                batch.referenceOffsets.withUnsafeBufferPointer { refOffsets in
                    batch.referenceLengths.withUnsafeBufferPointer { refLengths in
                        batch.answerOffsets.withUnsafeBufferPointer { ansOffsets in
                            batch.answerLengths.withUnsafeBufferPointer { ansLengths in
                                arena.withPointer { arena in
                                    withModel { model in
                                        csc_score_batch_offsets(
                                            arena, model, bytes.baseAddress,
                                            refOffsets.baseAddress, refLengths.baseAddress,
                                            ansOffsets.baseAddress, ansLengths.baseAddress,
                                            count, out.baseAddress)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        precondition(status == 0, "scoring arena out of memory")
    }

    /// Scores every pair of `batch`.
    public func score(_ batch: ScoringBatch) -> [Double] {
        var scores: [Double] = []
        score(batch, into: &scores)
        return scores
    }

    /// The tokens of `text` as scikit-learn's default analyzer yields them (lowercased).
    public func tokens(of text: String) -> [String] {
        var text = text
        return text.withUTF8 { bytes -> [String] in
            arena.withPointer { arena in
                let count = csc_tokenize(arena, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                         bytes.count, nil, 0)
                guard count >= 0 else { return [] }  // SIZE_MAX: the arena could not grow
                var tokens = [csc_token](repeating: csc_token(), count: count)
                _ = tokens.withUnsafeMutableBufferPointer { out in
                    csc_tokenize(arena, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                 bytes.count, out.baseAddress, count)
                }
                let lowered = csc_arena_lowered(arena)!
                return tokens.map { token in
                    String(decoding: UnsafeBufferPointer(start: lowered + Int(token.offset), count: Int(token.length)),
                           as: UTF8.self)
                }
            }
        }
    }

    private func withModel<Result>(_ body: (OpaquePointer?) -> Result) -> Result {
        if let model { return model.withHandle { body($0) } }
        return body(nil)
    }
}

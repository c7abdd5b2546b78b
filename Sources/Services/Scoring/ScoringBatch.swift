/// Pairs laid out in one contiguous UTF-8 buffer, scored in one call to the C core.
///
/// Appending copies each text once into the buffer; scoring passes the buffer and the
/// offset arrays as they are. Reuse a batch with `removeAll()` to keep its capacity.
public struct ScoringBatch: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var referenceOffsets: [UInt64] = []
    public private(set) var referenceLengths: [UInt32] = []
    public private(set) var answerOffsets: [UInt64] = []
    public private(set) var answerLengths: [UInt32] = []

    public init(reservingBytes: Int = 0, pairs: Int = 0) {
        bytes.reserveCapacity(reservingBytes)
        referenceOffsets.reserveCapacity(pairs)
        referenceLengths.reserveCapacity(pairs)
        answerOffsets.reserveCapacity(pairs)
        answerLengths.reserveCapacity(pairs)
    }

    /// Number of pairs.
    public var count: Int { referenceOffsets.count }

    /// Bytes of text held.
    public var byteCount: Int { bytes.count }

    public var isEmpty: Bool { referenceOffsets.isEmpty }

    /// Appends a pair given as strings.
    public mutating func append(reference: String, answer: String) {
        var reference = reference
        var answer = answer
        reference.withUTF8 { ref in answer.withUTF8 { ans in append(reference: ref, answer: ans) } }
    }

    /// Appends a pair given as UTF-8 bytes.
    public mutating func append(reference: UnsafeBufferPointer<UInt8>, answer: UnsafeBufferPointer<UInt8>) {
        precondition(reference.count <= Int(UInt32.max) && answer.count <= Int(UInt32.max), "text over 4 GiB")
        referenceOffsets.append(UInt64(bytes.count))
        referenceLengths.append(UInt32(reference.count))
        bytes.append(contentsOf: reference)
        answerOffsets.append(UInt64(bytes.count))
        answerLengths.append(UInt32(answer.count))
        bytes.append(contentsOf: answer)
    }

    /// Empties the batch, keeping its capacity.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        referenceOffsets.removeAll(keepingCapacity: true)
        referenceLengths.removeAll(keepingCapacity: true)
        answerOffsets.removeAll(keepingCapacity: true)
        answerLengths.removeAll(keepingCapacity: true)
    }

    /// The reference text of pair `index`.
    public func reference(at index: Int) -> String {
        let start = Int(referenceOffsets[index])
        return String(decoding: bytes[start..<start + Int(referenceLengths[index])], as: UTF8.self)
    }

    /// The answer text of pair `index`.
    public func answer(at index: Int) -> String {
        let start = Int(answerOffsets[index])
        return String(decoding: bytes[start..<start + Int(answerLengths[index])], as: UTF8.self)
    }
}

import Crypto
import Foundation

/// Signs and checks pipeline records with a shared key (PIPELINE_SIGNING_KEY): an HMAC-SHA256
/// over the topic, the key and the value, carried in the record header `veredicto-hmac-sha256`.
/// Each part is length-prefixed (4 bytes, big-endian; a record without key counts as an empty
/// one), so no two (topic, key, value) triples sign the same bytes, and a record copied to
/// another topic or given another key no longer verifies.
///
/// This is the second line of defence: Kafka ACLs and SASL, which decide who may write a topic
/// at all, are the first.
public struct MessageSigner: Sendable {
    /// The record header that carries the signature (32 bytes).
    public static let header = "veredicto-hmac-sha256"
    /// The shortest key accepted (bytes).
    public static let minimumKeyBytes = 16

    /// The key's bytes (Crypto's `SymmetricKey` is not `Sendable`: one is made per record).
    private let key: [UInt8]

    public init(key: [UInt8]) {
        self.key = key
    }

    /// The signature of a record.
    public func signature(topic: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) -> [UInt8] {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: self.key))
        Self.update(&mac, topic: topic, key: key, value: value)
        return Array(mac.finalize())
    }

    /// Whether `signature` is the record's (compared in constant time).
    public func verify(_ signature: UnsafeRawBufferPointer?, topic: String, key: UnsafeRawBufferPointer?,
                       value: UnsafeRawBufferPointer) -> Bool {
        guard let signature, signature.count == SHA256.byteCount else { return false }
        var mac = HMAC<SHA256>(key: SymmetricKey(data: self.key))
        Self.update(&mac, topic: topic, key: key, value: value)
        let expected = mac.finalize()
        return expected == signature
    }

    private static func update(_ mac: inout HMAC<SHA256>, topic: String, key: UnsafeRawBufferPointer?,
                               value: UnsafeRawBufferPointer) {
        var topic = topic
        topic.withUTF8 { bytes in
            lengthPrefix(&mac, bytes.count)
            mac.update(data: UnsafeRawBufferPointer(bytes))
        }
        let key = key ?? UnsafeRawBufferPointer(start: nil, count: 0)
        lengthPrefix(&mac, key.count)
        if key.count > 0 { mac.update(data: key) }
        lengthPrefix(&mac, value.count)
        if value.count > 0 { mac.update(data: value) }
    }

    private static func lengthPrefix(_ mac: inout HMAC<SHA256>, _ count: Int) {
        let length = UInt32(truncatingIfNeeded: count).bigEndian
        withUnsafeBytes(of: length) { mac.update(data: $0) }
    }
}

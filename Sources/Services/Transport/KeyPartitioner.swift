/// Where a keyed message goes: the partition of a key among `partitions`, the same in every
/// process and for every transport. It is librdkafka's `consistent_random` partitioner (its
/// default, and the one the Kafka producer is configured with): CRC-32 of the key's bytes
/// modulo the partition count. A question published with kcat or confluent-kafka keyed by its
/// question_id lands where the services put it; the cache service checks each question's
/// partition with this function and routes a misplaced one to its partition.
public enum KeyPartitioner {
    /// The partition of `key` among `partitions` (>= 1).
    public static func partition(forKey key: String, partitions: Int) -> Int {
        precondition(partitions >= 1, "a topic has at least one partition")
        return Int(crc32(key.utf8) % UInt32(partitions))
    }

    /// CRC-32 (IEEE 802.3, reflected, as zlib and librdkafka's `rd_crc32` compute it).
    static func crc32<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }
}

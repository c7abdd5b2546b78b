import VeredictoCore

/// Encodes dead letters: the unreadable message (or its first bytes when it is large), where it
/// came from, and why. The record keeps the original record's key (or `topic/partition/offset`
/// when it had none).
public enum DeadLetters {
    public static func message(for invalid: InvalidMessage, topic: String) -> OutboundMessage {
        let letter = invalid.payload.withUnsafeBytes { payload in
            DeadLetter(sourceTopic: invalid.topic, partition: Int(invalid.partition), offset: invalid.offset,
                       reason: invalid.reason, payload: payload,
                       payloadBytes: invalid.payloadBytes > invalid.payload.count ? invalid.payloadBytes : nil)
        }
        let key = invalid.key.isEmpty ? "\(invalid.topic)/\(invalid.partition)/\(invalid.offset)"
            : String(decoding: invalid.key.prefix(MessageDomain.maximumMessageIDBytes), as: UTF8.self)
        return OutboundMessage(topic: topic, key: key, value: letter.jsonBytes)
    }
}

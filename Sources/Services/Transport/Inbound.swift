/// A consumed message: decoded, or unreadable with the reason.
public enum Inbound<Input: Sendable>: Sendable {
    case message(Input)
    case invalid(InvalidMessage)
}

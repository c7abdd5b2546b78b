/// How a question's answer was decided (the `status` of a ValidatedResponse and a result).
public enum ResultStatus: String, Sendable, CaseIterable {
    /// The score reached the threshold.
    case accepted
    /// Kept below the threshold because the attempts reached their cap.
    case forced
    /// No answer could be had.
    case failed
}

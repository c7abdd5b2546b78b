/// An error that says whether trying the same thing again can succeed.
///
/// Transient errors (a broker or database unavailable, a timeout) are retried for as long as it
/// takes. A permanent one (a message too large, a document the database rejects) fails the same
/// way every time: the runner isolates the message that causes it and sets it aside in
/// `dead_letters` instead of retrying.
public protocol ClassifiedError: Error {
    /// True when the same request would fail the same way again.
    var isPermanent: Bool { get }
}

extension Error {
    /// Whether this error is a permanent one (`ClassifiedError`); errors that do not say are
    /// taken as transient.
    public var isPermanentFailure: Bool { (self as? any ClassifiedError)?.isPermanent ?? false }
}

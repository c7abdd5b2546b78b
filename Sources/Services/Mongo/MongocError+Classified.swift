import VeredictoCore

extension MongocError: ClassifiedError {
    /// Server codes of a document the server refuses whatever its state: BadValue,
    /// TypeMismatch, InvalidBSON, DollarPrefixedFieldName, DocumentValidationFailure, and a
    /// document or object too large.
    static let documentRejectionCodes: Set<UInt32> = [2, 14, 22, 52, 121, 10334, 17419, 17420]

    /// A document libbson or the server cannot accept fails the same way each time; a lost
    /// connection, a timeout, a write conflict or an unknown server error may pass on retry.
    public var isPermanent: Bool {
        switch code {
        case .invalidDocument: true
        case .server: Self.documentRejectionCodes.contains(libraryCode)
        default: false
        }
    }
}

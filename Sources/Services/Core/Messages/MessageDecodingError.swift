/// Why bytes are not a valid pipeline message: invalid JSON, or a required field missing or of
/// the wrong type. `description` is one line naming the field and the problem, fit for a log
/// line or a dead letter's reason.
public struct MessageDecodingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The field at fault, or nil when the text is not valid JSON.
    public let field: String?
    public let description: String

    public init(field: String?, description: String) {
        self.field = field
        self.description = description
    }

    static func invalidJSON(_ error: JSONScanner.SyntaxError) -> MessageDecodingError {
        MessageDecodingError(field: nil, description: "invalid JSON: \(error)")
    }

    static func missing(_ field: StaticString) -> MessageDecodingError {
        MessageDecodingError(field: "\(field)", description: "missing field \"\(field)\"")
    }

    /// `field "attempts" must be an integer`
    static func field(_ field: StaticString, must requirement: String) -> MessageDecodingError {
        MessageDecodingError(field: "\(field)", description: "field \"\(field)\" must be \(requirement)")
    }

    static func field(_ field: StaticString, is problem: String) -> MessageDecodingError {
        MessageDecodingError(field: "\(field)", description: "field \"\(field)\" is \(problem)")
    }
}

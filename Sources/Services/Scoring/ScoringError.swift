import CScoring

/// An error of the scoring core or of its model files.
public struct ScoringError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, independent of the message.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        init(name: String) { self.name = name }

        public static let outOfMemory = Code(name: "out of memory")
        public static let io = Code(name: "I/O")
        public static let format = Code(name: "format")
        public static let version = Code(name: "version")
        public static let checksum = Code(name: "checksum")
        public static let compression = Code(name: "compression")
        public static let invalidArgument = Code(name: "invalid argument")
        public static let unsupportedKernel = Code(name: "unsupported kernel")

        /// The code of a `csc_status` value.
        init(status: Int32) {
            switch status {
            case Int32(CSC_ERR_NOMEM.rawValue): self = .outOfMemory
            case Int32(CSC_ERR_IO.rawValue): self = .io
            case Int32(CSC_ERR_FORMAT.rawValue): self = .format
            case Int32(CSC_ERR_VERSION.rawValue): self = .version
            case Int32(CSC_ERR_CHECKSUM.rawValue): self = .checksum
            case Int32(CSC_ERR_COMPRESS.rawValue): self = .compression
            default: self = .invalidArgument
            }
        }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// An error from a `csc_status`, with what was being done.
    init(status: Int32, context: String) {
        self.init(Code(status: status), "\(context): \(String(cString: csc_status_message(status)))")
    }

    public var description: String { message }
}

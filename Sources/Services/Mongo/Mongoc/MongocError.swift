import CMongoC

/// An error of the MongoDB layer: from libmongoc/libbson (a `bson_error_t`), from the server,
/// or raised by this layer itself. libmongoc's domains and codes are mapped in one place,
/// `Code.init(domain:code:)`.
///
/// An error may carry labels (`labels`) that the server or libmongoc attached to the reply;
/// they tell whether a transaction can be retried (`MongoDatabase.withTransaction`).
public struct MongocError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, independent of the message. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        init(name: String) { self.name = name }

        /// The connection string cannot be used.
        public static let invalidURI = Code(name: "invalid URI")
        /// No server reachable: name resolution, connect, socket or server selection failed.
        public static let connection = Code(name: "connection")
        public static let authentication = Code(name: "authentication")
        /// A write hit a unique index (server code 11000).
        public static let duplicateKey = Code(name: "duplicate key")
        public static let writeConcern = Code(name: "write concern")
        /// Two transactions wrote the same document (server code 112); the transaction that
        /// got it was aborted and can be run again.
        public static let writeConflict = Code(name: "write conflict")
        /// Any other error reported by the server.
        public static let server = Code(name: "server")
        /// A document libbson or the server cannot accept (bad JSON, `$` keys in an insert, ...).
        public static let invalidDocument = Code(name: "invalid document")
        /// An option or operation libmongoc rejects before sending it.
        public static let invalidArgument = Code(name: "invalid argument")
        /// The server sent a reply libmongoc cannot read.
        public static let protocolError = Code(name: "protocol")
        /// The pool was closed before the operation ran.
        public static let closed = Code(name: "closed")
        public static let other = Code(name: "other")

        /// The code of a libmongoc error (error API version 2: server errors in
        /// `MONGOC_ERROR_SERVER` with the server's own code).
        init(domain: UInt32, code: UInt32) {
            if MongocError.duplicateKeyCodes.contains(code),
                [MONGOC_ERROR_SERVER, MONGOC_ERROR_COLLECTION, MONGOC_ERROR_QUERY, MONGOC_ERROR_COMMAND,
                 MONGOC_ERROR_INSERT].map(\.rawValue).contains(domain)
            {
                self = .duplicateKey
                return
            }
            if code == MongocError.writeConflictCode && domain == MONGOC_ERROR_SERVER.rawValue {
                self = .writeConflict
                return
            }
            switch mongoc_error_domain_t(rawValue: domain) {
            case MONGOC_ERROR_STREAM, MONGOC_ERROR_SERVER_SELECTION:
                self = .connection
            case MONGOC_ERROR_CLIENT where code == MONGOC_ERROR_CLIENT_AUTHENTICATE.rawValue,
                MONGOC_ERROR_SASL, MONGOC_ERROR_SCRAM:
                self = .authentication
            case MONGOC_ERROR_CLIENT:
                self = .connection
            case MONGOC_ERROR_WRITE_CONCERN:
                self = .writeConcern
            case MONGOC_ERROR_SERVER, MONGOC_ERROR_QUERY:
                self = .server
            case MONGOC_ERROR_BSON:
                self = .invalidDocument
            case MONGOC_ERROR_COMMAND, MONGOC_ERROR_COLLECTION, MONGOC_ERROR_NAMESPACE:
                self = .invalidArgument
            case MONGOC_ERROR_PROTOCOL:
                self = .protocolError
            default:
                self = .other
            }
        }
    }

    /// A label of an error reply (`errorLabels`), which says what a client may do about it.
    public struct Label: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public var description: String { name }

        init(name: String) { self.name = name }

        /// The transaction was aborted by something that may not happen again (a write
        /// conflict, a lost connection): run the whole transaction again.
        public static let transientTransaction = Label(name: "TransientTransactionError")
        /// The commit's outcome is unknown (the connection or the write concern failed): commit
        /// again, which the server treats as idempotent.
        public static let unknownTransactionCommitResult = Label(name: "UnknownTransactionCommitResult")
        /// A single write outside a transaction that can be sent again.
        public static let retryableWrite = Label(name: "RetryableWriteError")

        /// The labels this layer looks for in a reply.
        static let known: [Label] = [.transientTransaction, .unknownTransactionCommitResult, .retryableWrite]
    }

    /// The server's duplicate-key code, in a write error or a command error.
    public static let duplicateKeyCode: Int32 = 11000
    /// 11000 and the codes older servers used for the same error.
    static let duplicateKeyCodes: Set<UInt32> = [11000, 11001, 12582]
    /// The server's WriteConflict code.
    static let writeConflictCode: UInt32 = 112

    public let code: Code
    /// libmongoc's error domain (`mongoc_error_domain_t`); 0 when this layer raised the error.
    public let domain: UInt32
    /// libmongoc's code within the domain; in the server domain, the server's code (11000 for a
    /// duplicate key). 0 when this layer raised the error.
    public let libraryCode: UInt32
    public let message: String
    /// The known labels (`Label.known`) on the reply that came with the error; empty when
    /// there was no reply.
    public let labels: Set<Label>
    public let file: String
    public let line: Int

    public init(
        _ code: Code, _ message: String, labels: Set<Label> = [], file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.domain = 0
        self.libraryCode = 0
        self.message = message
        self.labels = labels
        self.file = file
        self.line = line
    }

    /// The error libmongoc reported, with what was being done.
    init(_ error: bson_error_t, context: String, file: String = #fileID, line: Int = #line) {
        self.init(error, labels: [], context: context, file: file, line: line)
    }

    /// The error libmongoc reported, with the labels of `reply`, the server's or libmongoc's
    /// error reply (a `bson_t *` owned by whatever returned it, e.g. a cursor).
    init(_ error: bson_error_t, reply: OpaquePointer?, context: String, file: String = #fileID, line: Int = #line) {
        self.init(error, labels: reply.map(MongocError.labels(of:)) ?? [], context: context, file: file, line: line)
    }

    /// The error libmongoc reported, with the labels of `reply`, the document libmongoc wrote
    /// its reply into.
    init(_ error: bson_error_t, reply: BSONDocument, context: String, file: String = #fileID, line: Int = #line) {
        self.init(error, labels: MongocError.labels(of: reply), context: context, file: file, line: line)
    }

    private init(_ error: bson_error_t, labels: Set<Label>, context: String, file: String, line: Int) {
        self.code = Code(domain: error.domain, code: error.code)
        self.domain = error.domain
        self.libraryCode = error.code
        self.message = "\(context): \(MongocError.message(of: error))"
        self.labels = labels
        self.file = file
        self.line = line
    }

    /// A write error of a bulk write, as an error of its own (in a transaction, where one
    /// failed write aborts everything): the server's code, in the server domain.
    init(_ writeError: MongoWriteError, context: String, file: String = #fileID, line: Int = #line) {
        let serverCode = UInt32(bitPattern: writeError.code)
        self.code = Code(domain: MONGOC_ERROR_SERVER.rawValue, code: serverCode)
        self.domain = MONGOC_ERROR_SERVER.rawValue
        self.libraryCode = serverCode
        self.message = "\(context): \(writeError)"
        self.labels = []
        self.file = file
        self.line = line
    }

    public var isDuplicateKey: Bool { code == .duplicateKey }

    public func hasLabel(_ label: Label) -> Bool { labels.contains(label) }

    public var description: String { message }

    /// The known labels that `reply` (a `bson_t *`) carries in its `errorLabels`.
    static func labels(of reply: OpaquePointer) -> Set<Label> {
        Set(Label.known.filter { mongoc_error_has_label(reply, $0.name) })
    }

    /// The known labels that `reply` carries in its `errorLabels`.
    static func labels(of reply: BSONDocument) -> Set<Label> {
        reply.withPointer { labels(of: $0) }
    }

    /// The text of a `bson_error_t`.
    static func message(of error: bson_error_t) -> String {
        withUnsafeBytes(of: error.message) { bytes in
            let text = bytes.prefix { $0 != 0 }
            return text.isEmpty ? "unknown error" : String(decoding: text, as: UTF8.self)
        }
    }
}

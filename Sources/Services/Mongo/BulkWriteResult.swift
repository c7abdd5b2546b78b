/// What a bulk write did: the server's counts, the `_id` of each upserted document, and the
/// operations that failed.
///
/// An ordered bulk write stops at its first write error; an unordered one attempts every
/// operation, so `writeErrors` may hold several.
public struct BulkWriteResult: Sendable, Equatable {
    public var insertedCount = 0
    /// Documents the update and replace filters matched.
    public var matchedCount = 0
    /// Matched documents that changed (an update that sets the same values changes nothing).
    public var modifiedCount = 0
    /// Documents inserted by upserts.
    public var upsertedCount = 0
    /// The `_id` of each upserted document, by operation index.
    public var upsertedIDs: [Int: BSONValue] = [:]
    public var writeErrors: [MongoWriteError] = []

    public init() {}

    /// The indices of the operations that failed with a duplicate key.
    public var duplicateKeyIndices: [Int] {
        writeErrors.filter(\.isDuplicateKey).map(\.index)
    }

    /// Reads libmongoc's bulk reply: nInserted, nMatched, nModified, nUpserted,
    /// upserted [{index, _id}], writeErrors [{index, code, errmsg}].
    init(reply: BSONDocument) {
        func count(_ key: String) -> Int { Int(reply[key]?.int64Value ?? 0) }
        insertedCount = count("nInserted")
        matchedCount = count("nMatched")
        modifiedCount = count("nModified")
        upsertedCount = count("nUpserted")
        for upserted in reply["upserted"]?.arrayValue ?? [] {
            if let index = upserted["index"]?.int64Value, let id = upserted["_id"] {
                upsertedIDs[Int(index)] = id
            }
        }
        writeErrors = (reply["writeErrors"]?.arrayValue ?? []).map { error in
            MongoWriteError(
                index: Int(error["index"]?.int64Value ?? -1),
                code: Int32(clamping: error["code"]?.int64Value ?? 0),
                message: error["errmsg"]?.stringValue ?? "")
        }
    }
}

/// One failed operation of a bulk write.
public struct MongoWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The operation's index in the list passed to the bulk write.
    public var index: Int
    /// The server's error code: 11000 (`MongocError.duplicateKeyCode`) for a duplicate key.
    public var code: Int32
    public var message: String

    public init(index: Int, code: Int32, message: String) {
        self.index = index
        self.code = code
        self.message = message
    }

    public var isDuplicateKey: Bool { MongocError.duplicateKeyCodes.contains(UInt32(bitPattern: code)) }

    public var description: String { "operation \(index): code \(code): \(message)" }
}

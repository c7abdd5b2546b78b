/// The operations of one multi-document transaction, handed to the body of
/// `MongoDatabase.withTransaction`.
///
/// The methods are synchronous: the body runs on one of the pool's blocking threads, with one
/// client and one session for the whole transaction, and each call is a round trip on that
/// client. Reads see a snapshot of the data taken at the first operation, plus the
/// transaction's own writes; nothing is visible to others until the commit. This is snapshot
/// isolation: two transactions that write the same document conflict (one of them is run
/// again), but one that only reads a document another changes does not (write skew), so a
/// decision based on a read should write the document it read.
///
/// A transaction is valid only inside the body it was passed to: using it afterwards is a
/// programmer error and stops the program.
///
/// Any operation that throws has aborted (or may have aborted) the transaction on the server.
/// Unlike `MongoDatabase.bulkWrite`, a write error such as a duplicate key is thrown, as a
/// `MongocError` (`isDuplicateKey` for 11000), rather than returned in `writeErrors`. If the
/// body catches such an error and returns, `withTransaction` does not commit: it throws the
/// error all the same.
public final class MongoTransaction {
    /// The database the operations use.
    public let databaseName: String
    /// The client and session, until `close()`: the transaction keeps neither after the body
    /// returns, since the session must end before the client goes back to the pool.
    private var connection: (client: MongocClient, session: MongocClientSession)?
    /// The first error an operation threw; the transaction cannot commit after it.
    private(set) var failure: MongocError?

    init(databaseName: String, client: MongocClient, session: MongocClientSession) {
        self.databaseName = databaseName
        connection = (client, session)
    }

    /// Documents matching `filter`, in `sort` order when given, at most `limit` of them (0:
    /// all).
    public func find(
        collection: String, filter: BSONDocument = BSONDocument(), sort: BSONDocument? = nil, limit: Int = 0
    ) throws -> [BSONDocument] {
        try perform(collection) { collection, session in
            let options = BSONDocument()
            if let sort { options.appendDocument("sort", sort) }
            if limit > 0 { options.appendInt64("limit", Int64(limit)) }
            try session.append(to: options)
            return try collection.find(filter: filter, options: options)
        }
    }

    /// The document whose `_id` is `id`, or nil.
    public func findOne(collection: String, id: BSONValue) throws -> BSONDocument? {
        try find(collection: collection, filter: BSONDocument(["_id": id]), limit: 1).first
    }

    /// Runs the operations in one bulk write of the transaction. A write error (a duplicate
    /// key, say) is thrown, not returned: it has aborted the transaction.
    @discardableResult
    public func bulkWrite(
        collection: String, operations: [BulkWriteOperation], ordered: Bool = true
    ) throws -> BulkWriteResult {
        try perform(collection) { collection, session in
            let options = BSONDocument()
            try session.append(to: options)
            let result = try collection.bulkWrite(operations, ordered: ordered, options: options)
            if let writeError = result.writeErrors.first {
                throw MongocError(
                    writeError, context: "bulk write to \(collection.namespace) in a transaction (aborted)")
            }
            return result
        }
    }

    /// Inserts the documents. A duplicate `_id` is thrown (`isDuplicateKey`) and aborts the
    /// transaction, so `duplicateIndices` is always empty.
    @discardableResult
    public func insertMany(
        collection: String, documents: [BSONDocument], ordered: Bool = true
    ) throws -> InsertManyResult {
        let operations = documents.map { BulkWriteOperation.insertOne($0) }
        return InsertManyResult(try bulkWrite(collection: collection, operations: operations, ordered: ordered))
    }

    /// Applies `update` (`$set`, `$inc`, ...) to the first document matching `filter`; with
    /// `upsert`, inserts one when none matches.
    @discardableResult
    public func updateOne(
        collection: String, filter: BSONDocument, update: BSONDocument, upsert: Bool = false
    ) throws -> BulkWriteResult {
        try bulkWrite(
            collection: collection, operations: [.updateOne(filter: filter, update: update, upsert: upsert)])
    }

    /// Ends the transaction's use by the body; later calls stop the program.
    func close() {
        connection = nil
    }

    /// Runs one operation on `collection` with the transaction's client, and remembers the
    /// first failure.
    private func perform<Result>(
        _ collection: String, _ operation: (MongocCollection, MongocClientSession) throws -> Result
    ) throws -> Result {
        guard let (client, session) = connection else {
            preconditionFailure("a MongoTransaction was used outside the withTransaction body it was passed to")
        }
        do {
            return try operation(client.collection(database: databaseName, name: collection), session)
        } catch let error as MongocError {
            if failure == nil { failure = error }
            throw error
        }
    }
}

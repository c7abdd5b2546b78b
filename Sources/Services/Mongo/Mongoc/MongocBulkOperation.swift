import CMongoC

/// Owns a `mongoc_bulk_operation_t`: operations are appended (libmongoc copies their
/// documents) and sent in as few commands as the server's batch limits allow.
final class MongocBulkOperation {
    private let pointer: OpaquePointer
    private let namespace: String

    /// `extraOptions` are added to the bulk write's options (a session's `sessionId`, say).
    init(collection: MongocCollection, ordered: Bool, extraOptions: BSONDocument? = nil) {
        let options = BSONDocument()
        options.appendBool("ordered", ordered)
        if let extraOptions {
            let concatenated = bson_concat(options.pointer, extraOptions.pointer)
            precondition(concatenated, "bulk write options over 2 GiB")
        }
        pointer = mongoc_collection_create_bulk_operation_with_opts(collection.pointer, options.pointer)
        namespace = collection.namespace
    }

    deinit {
        mongoc_bulk_operation_destroy(pointer)
    }

    /// Appends one operation; libmongoc checks it first (an update needs `$` operators, a
    /// replacement must have none).
    func append(_ operation: BulkWriteOperation, index: Int) throws {
        var error = bson_error_t()
        let options = BSONDocument()
        let appended: Bool
        switch operation {
        case .insertOne(let document):
            appended = mongoc_bulk_operation_insert_with_opts(pointer, document.pointer, nil, &error)
        case .updateOne(let filter, let update, let upsert, let arrayFilters):
            if upsert { options.appendBool("upsert", true) }
            if !arrayFilters.isEmpty { options.appendArray("arrayFilters", documents: arrayFilters) }
            appended = mongoc_bulk_operation_update_one_with_opts(
                pointer, filter.pointer, update.pointer, options.pointer, &error)
        case .replaceOne(let filter, let replacement, let upsert):
            if upsert { options.appendBool("upsert", true) }
            appended = mongoc_bulk_operation_replace_one_with_opts(
                pointer, filter.pointer, replacement.pointer, options.pointer, &error)
        }
        guard appended else {
            throw MongocError(error, context: "bulk write to \(namespace): operation \(index) rejected")
        }
    }

    /// Sends the operations. Per-operation write errors (a duplicate key, say) come back in
    /// the result; anything else that stops the bulk write (no server, a write concern
    /// error) is thrown.
    func execute() throws -> BulkWriteResult {
        let reply = BSONDocument()
        var error = bson_error_t()
        let succeeded = mongoc_bulk_operation_execute(pointer, reply.pointer, &error) != 0
        let result = BulkWriteResult(reply: reply)
        if let concern = reply["writeConcernErrors"]?.arrayValue?.first {
            throw MongocError(
                .writeConcern,
                "bulk write to \(namespace): write concern not satisfied (\(concern["errmsg"]?.stringValue ?? "no message")); "
                    + "\(result.insertedCount + result.upsertedCount) inserted, \(result.modifiedCount) modified so far")
        }
        if succeeded || !result.writeErrors.isEmpty {
            return result
        }
        throw MongocError(error, reply: reply, context: "bulk write to \(namespace) failed")
    }
}

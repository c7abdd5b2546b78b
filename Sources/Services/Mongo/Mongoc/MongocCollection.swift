import CMongoC

/// Owns a `mongoc_collection_t` of a popped client, and runs the collection-level calls.
/// Every method blocks on the network; call them only from a `BlockingExecutor` thread.
final class MongocCollection {
    let pointer: OpaquePointer
    let namespace: String

    init(client: MongocClient, database: String, name: String) {
        pointer = mongoc_client_get_collection(client.pointer, database, name)
        namespace = "\(database).\(name)"
    }

    deinit {
        mongoc_collection_destroy(pointer)
    }

    /// Runs `operations` as one bulk write; `options` are added to its options (a session's
    /// `sessionId`, say).
    func bulkWrite(_ operations: [BulkWriteOperation], ordered: Bool, options: BSONDocument? = nil) throws
        -> BulkWriteResult
    {
        guard !operations.isEmpty else { return BulkWriteResult() }
        let bulk = MongocBulkOperation(collection: self, ordered: ordered, extraOptions: options)
        for (index, operation) in operations.enumerated() {
            try bulk.append(operation, index: index)
        }
        return try bulk.execute()
    }

    /// Documents matching `filter`; `options` as for the find command (sort, limit,
    /// projection, ...).
    func find(filter: BSONDocument, options: BSONDocument) throws -> sending [BSONDocument] {
        let cursor = MongocCursor(
            taking: mongoc_collection_find_with_opts(pointer, filter.pointer, options.pointer, nil),
            context: "find in \(namespace) failed")
        return try cursor.readAll()
    }

    func countDocuments(filter: BSONDocument) throws -> Int64 {
        var error = bson_error_t()
        let count = mongoc_collection_count_documents(pointer, filter.pointer, nil, nil, nil, &error)
        guard count >= 0 else { throw MongocError(error, context: "count in \(namespace) failed") }
        return count
    }

    func aggregate(pipeline: [BSONDocument]) throws -> sending [BSONDocument] {
        let command = BSONDocument()
        command.appendArray("pipeline", documents: pipeline)
        let cursor = MongocCursor(
            taking: mongoc_collection_aggregate(pointer, MONGOC_QUERY_NONE, command.pointer, nil, nil),
            context: "aggregate on \(namespace) failed")
        return try cursor.readAll()
    }

    /// Creates an index (no-op when one with the same name and keys exists) and returns its
    /// name: `name`, or the server's usual name for `keys` (`field_1_other_-1`).
    func createIndex(keys: BSONDocument, name: String?, unique: Bool) throws -> String {
        let indexName: String
        if let name {
            indexName = name
        } else {
            guard let generated = mongoc_collection_keys_to_index_string(keys.pointer) else {
                throw MongocError(.invalidArgument, "cannot name an index on \(keys)")
            }
            defer { bson_free(generated) }
            indexName = String(cString: generated)
        }
        let index = BSONDocument()
        index.appendDocument("key", keys)
        index.appendString("name", indexName)
        if unique { index.appendBool("unique", true) }
        let command = BSONDocument()
        command.appendString("createIndexes", String(cString: mongoc_collection_get_name(pointer)))
        command.appendArray("indexes", documents: [index])
        let reply = BSONDocument()
        var error = bson_error_t()
        guard mongoc_collection_write_command_with_opts(pointer, command.pointer, nil, reply.pointer, &error) else {
            throw MongocError(error, context: "createIndexes \(indexName) on \(namespace) failed")
        }
        return indexName
    }

    /// Drops the collection; a collection that does not exist is not an error.
    func drop() throws {
        var error = bson_error_t()
        guard mongoc_collection_drop_with_opts(pointer, nil, &error) else {
            if error.domain == MONGOC_ERROR_SERVER.rawValue && error.code == MongocCollection.namespaceNotFound {
                return
            }
            throw MongocError(error, context: "drop \(namespace) failed")
        }
    }

    /// The server's NamespaceNotFound code.
    private static let namespaceNotFound: UInt32 = 26
}

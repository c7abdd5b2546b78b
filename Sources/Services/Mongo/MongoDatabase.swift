/// One database of a `MongoClientPool`, with the operations the services use.
///
/// Documents are passed as `sending`: the caller hands them over to the pool's thread and
/// does not use them afterwards. Results are new documents owned by the caller.
public struct MongoDatabase: Sendable {
    public let name: String
    let pool: MongoClientPool

    /// Runs the operations in one bulk write (split into batches by the driver as the
    /// server's limits require).
    ///
    /// Per-operation failures, such as a duplicate key (code 11000), are in the result's
    /// `writeErrors`; an ordered bulk write stops at the first. Anything that prevents the
    /// write as a whole (no server, a write concern error) is thrown.
    public func bulkWrite(
        collection: String, operations: sending [BulkWriteOperation], ordered: Bool = true
    ) async throws -> BulkWriteResult {
        let database = name
        return try await pool.run { client in
            try client.collection(database: database, name: collection).bulkWrite(operations, ordered: ordered)
        }
    }

    /// Inserts the documents; with `ordered: false` (the default) every document is tried,
    /// and those whose `_id` already exists are reported in `duplicateIndices`.
    public func insertMany(
        collection: String, documents: sending [BSONDocument], ordered: Bool = false
    ) async throws -> InsertManyResult {
        let operations = documents.map { BulkWriteOperation.insertOne($0) }
        return InsertManyResult(try await bulkWrite(collection: collection, operations: operations, ordered: ordered))
    }

    /// The document whose `_id` is `id`, or nil.
    public func findOne(collection: String, id: BSONValue) async throws -> sending BSONDocument? {
        let documents = try await find(collection: collection, filter: BSONDocument(["_id": id]), limit: 1)
        return documents.first
    }

    /// Documents matching `filter`, in `sort` order when given (e.g. `["score": -1]`), at most
    /// `limit` of them (0: all).
    public func find(
        collection: String, filter: sending BSONDocument = BSONDocument(), sort: sending BSONDocument? = nil,
        limit: Int = 0
    ) async throws -> sending [BSONDocument] {
        let database = name
        return try await pool.run { client in
            let options = BSONDocument()
            if let sort { options.appendDocument("sort", sort) }
            if limit > 0 { options.appendInt64("limit", Int64(limit)) }
            return try client.collection(database: database, name: collection).find(filter: filter, options: options)
        }
    }

    /// The number of documents matching `filter`.
    public func count(collection: String, filter: sending BSONDocument = BSONDocument()) async throws -> Int {
        let database = name
        return try await Int(pool.run { client in
            try client.collection(database: database, name: collection).countDocuments(filter: filter)
        })
    }

    /// Runs an aggregation pipeline and returns every output document.
    public func aggregate(collection: String, pipeline: sending [BSONDocument]) async throws -> sending [BSONDocument] {
        let database = name
        return try await pool.run { client in
            try client.collection(database: database, name: collection).aggregate(pipeline: pipeline)
        }
    }

    /// Creates an index on `keys` (e.g. `["status": 1, "score": -1]`) unless it exists, and
    /// returns its name (`name`, or the server's usual one, `status_1_score_-1`).
    @discardableResult
    public func createIndex(
        collection: String, keys: sending BSONDocument, name: String? = nil, unique: Bool = false
    ) async throws -> String {
        let database = self.name
        return try await pool.run { client in
            try client.collection(database: database, name: collection).createIndex(keys: keys, name: name, unique: unique)
        }
    }

    /// Drops the collection and its indexes; a missing collection is not an error.
    public func drop(collection: String) async throws {
        let database = name
        try await pool.run { client in
            try client.collection(database: database, name: collection).drop()
        }
    }

    /// Drops the whole database.
    public func dropDatabase() async throws {
        let database = name
        try await pool.run { client in
            try client.dropDatabase(database)
        }
    }
}

/// What `MongoDatabase.insertMany` did.
public struct InsertManyResult: Sendable, Equatable {
    public var insertedCount: Int
    /// Indices (in the documents passed) of those rejected because their `_id` (or another
    /// unique key) already existed, ascending.
    public var duplicateIndices: [Int]
    /// Every failed insert, duplicates included.
    public var writeErrors: [MongoWriteError]

    init(_ bulk: BulkWriteResult) {
        insertedCount = bulk.insertedCount
        duplicateIndices = bulk.duplicateKeyIndices.sorted()
        writeErrors = bulk.writeErrors
    }
}

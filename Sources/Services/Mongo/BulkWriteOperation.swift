/// One write of a bulk write (`MongoDatabase.bulkWrite`).
public enum BulkWriteOperation {
    /// Inserts `document` (an `_id` is added by the driver when it has none).
    case insertOne(BSONDocument)
    /// Applies `update` (`$set`, `$inc`, `$setOnInsert`, ... or a pipeline) to the first
    /// document matching `filter`; with `upsert`, inserts one when none matches.
    /// `arrayFilters` name the `$[identifier]` positions `update` uses.
    case updateOne(filter: BSONDocument, update: BSONDocument, upsert: Bool = false, arrayFilters: [BSONDocument] = [])
    /// Replaces the first document matching `filter` (keeping its `_id`); with `upsert`,
    /// inserts `replacement` when none matches.
    case replaceOne(filter: BSONDocument, replacement: BSONDocument, upsert: Bool = false)
}

import Dataset
import Mongo

/// The MongoDB `questions` collection, which `veredicto dataset load` fills and the generator
/// reads when it is given no CSV file: one document per dataset row, `_id` `q<row>` (the row's
/// place in its file, from 0), `class`, `title`, `content`, `best_answer`.
public final class QuestionsCollection: Sendable {
    public static let name = "questions"

    private let pool: MongoClientPool
    private let database: MongoDatabase

    public init(uri: String, database: String) throws {
        pool = try MongoClientPool(uri: uri)
        self.database = pool.database(database)
    }

    deinit { pool.close() }

    /// The id of the row at `index` of its file.
    public static func id(row index: Int) -> String { "q\(index)" }

    /// Writes `rows` (each with its place in the file), replacing documents of the same id, so
    /// loading a file again changes nothing.
    public func upsert(_ rows: [(index: Int, row: YahooRow)]) async throws {
        guard !rows.isEmpty else { return }
        _ = try await database.bulkWrite(collection: Self.name, operations: rows.map { index, row in
            let id = Self.id(row: index)
            let document = BSONDocument()
            document.appendString("_id", id)
            document.appendInt32("class", Int32(clamping: row.classIndex))
            document.appendString("title", row.title)
            document.appendString("content", row.content)
            document.appendString("best_answer", row.bestAnswer)
            return .replaceOne(filter: BSONDocument(["_id": .string(id)]), replacement: document, upsert: true)
        }, ordered: false)
    }

    /// Up to `limit` questions with their ids; documents without an id, a title or a best
    /// answer are counted in `skipped`, not returned.
    public func read(limit: Int) async throws -> (rows: [YahooRow], ids: [String], skipped: Int) {
        let documents = try await database.find(collection: Self.name, limit: limit)
        var rows: [YahooRow] = []
        var ids: [String] = []
        var skipped = 0
        for document in documents {
            guard let id = document["_id"]?.stringValue, !id.isEmpty, let title = document["title"]?.stringValue,
                  let answer = document["best_answer"]?.stringValue
            else {
                skipped += 1
                continue
            }
            rows.append(YahooRow(classIndex: Int(document["class"]?.int64Value ?? 0), title: title,
                                 content: document["content"]?.stringValue ?? "", bestAnswer: answer))
            ids.append(id)
        }
        return (rows, ids, skipped)
    }
}

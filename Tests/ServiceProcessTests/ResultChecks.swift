import Foundation
import Mongo

/// What the multi-process tests check after a run: which questions the generators say they
/// asked, and the sums over MongoDB `results` that the metrics document must equal.
enum ResultChecks {
    /// The traffic logs (`generator_*.csv`) in `directory`: how many there are, their send
    /// lines, and the distinct question ids asked.
    static func askedQuestions(in directory: URL) throws -> (logs: Int, sends: [Substring], distinct: Set<Substring>) {
        let logFiles = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("generator_") && $0.hasSuffix(".csv") }
        var sends: [Substring] = []
        for file in logFiles {
            sends += try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n").dropFirst()
        }
        return (logFiles.count, sends, Set(sends.map { $0.split(separator: ",")[1] }))
    }

    /// Sums over `results`: asked (times_asked), regenerations, llm_calls, cache (served from
    /// the cache), and the largest attempts.
    static func resultSums(_ database: MongoDatabase) async throws -> BSONDocument? {
        try await database.aggregate(collection: "results", pipeline: [
            BSONDocument(["$group": .document([
                BSONField("_id", .null),
                BSONField("asked", .document([BSONField("$sum", "$times_asked")])),
                BSONField("regenerations", .document([BSONField("$sum", "$regenerations")])),
                BSONField("llm_calls", .document([BSONField("$sum", "$llm_calls")])),
                BSONField("cache", .document([BSONField("$sum", "$served.cache")])),
                BSONField("max_attempts", .document([BSONField("$max", "$attempts")])),
            ])]),
        ]).first
    }
}

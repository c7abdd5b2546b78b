import Foundation
import Mongo
import Testing

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
                BSONField("prompt_tokens", .document([BSONField("$sum", "$prompt_tokens")])),
                BSONField("completion_tokens", .document([BSONField("$sum", "$completion_tokens")])),
                BSONField("cache", .document([BSONField("$sum", "$served.cache")])),
                BSONField("max_attempts", .document([BSONField("$max", "$attempts")])),
            ])]),
        ]).first
    }

    /// Checks the metrics document against the aggregation over `results` and the generators'
    /// logs in `directory`: `asked` askings, one result per distinct question asked, and every
    /// counter equal to its sum over the results.
    static func expectMetricsMatchResults(_ database: MongoDatabase, asked total: Int, directory: URL,
                                          sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let metrics = try #require(try await database.findOne(collection: "metrics", id: "global"),
                                   sourceLocation: sourceLocation)
        let (_, lines, asked) = try askedQuestions(in: directory)
        #expect(lines.count == total, sourceLocation: sourceLocation)
        #expect(metrics["asked"]?.int64Value == Int64(total), "\(notableLogLines(in: directory))",
                sourceLocation: sourceLocation)
        #expect(try await database.count(collection: "results") == asked.count, sourceLocation: sourceLocation)
        #expect(metrics["questions"]?.int64Value == Int64(asked.count), sourceLocation: sourceLocation)
        let sum = try #require(try await resultSums(database), sourceLocation: sourceLocation)
        #expect(sum["asked"]?.int64Value == Int64(total), sourceLocation: sourceLocation)
        #expect(sum["regenerations"]?.int64Value == metrics["regenerations"]?.int64Value, sourceLocation: sourceLocation)
        #expect(sum["llm_calls"]?.int64Value == metrics["llm_calls"]?.int64Value, sourceLocation: sourceLocation)
        #expect(sum["cache"]?.int64Value == metrics["by_source"]?["cache"]?.int64Value, sourceLocation: sourceLocation)
        #expect(sum["prompt_tokens"]?.int64Value == metrics["prompt_tokens"]?.int64Value, sourceLocation: sourceLocation)
        #expect(sum["completion_tokens"]?.int64Value == metrics["completion_tokens"]?.int64Value,
                sourceLocation: sourceLocation)
        let accepted = metrics["accepted"]?.int64Value ?? 0, forced = metrics["forced"]?.int64Value ?? 0
        let failed = metrics["failed"]?.int64Value ?? 0
        #expect(accepted + forced + failed == Int64(asked.count), sourceLocation: sourceLocation)
    }

    /// The warnings and errors the services logged in `directory` (the last 30 of each log),
    /// to say why a run stopped short when it did.
    static func notableLogLines(in directory: URL) -> String {
        let logs = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".log") }.sorted()
        return logs.map { file in
            let text = (try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)) ?? ""
            let notable = text.split(separator: "\n").filter {
                $0.contains("\"level\":\"warning\"") || $0.contains("\"level\":\"error\"")
                    || $0.contains("\"level\":\"critical\"")
            }
            return "\(file): \(notable.count) warnings and errors\n" + notable.suffix(30).joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

import Foundation
import Mongo

/// The MongoDB-protocol server of the integration tests: `VEREDICTO_TEST_MONGO`, which
/// scripts/test-env.sh sets after starting one.
public enum TestMongoServer {
    /// The server's URI, with a short server-selection timeout unless it sets one, so that a
    /// dead server fails a test in seconds.
    public static func uri() throws -> String {
        let uri = try TestServers.mongo()
        if uri.localizedCaseInsensitiveContains("serverSelectionTimeoutMS") { return uri }
        let separator = uri.contains("?") ? "&" : (uri.dropFirst("mongodb://".count).contains("/") ? "?" : "/?")
        return uri + separator + "serverSelectionTimeoutMS=5000"
    }

    /// Runs `body` with a database of its own (a unique name), dropped afterwards.
    public static func withDatabase<Result>(
        _ label: String, threadCount: Int = 2, _ body: (MongoDatabase) async throws -> Result
    ) async throws -> Result {
        let pool = try MongoClientPool(uri: uri(), threadCount: threadCount)
        defer { pool.close() }
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let database = pool.database("test_\(label)_\(suffix)")
        do {
            let result = try await body(database)
            try await database.dropDatabase()
            return result
        } catch {
            try? await database.dropDatabase()
            throw error
        }
    }
}

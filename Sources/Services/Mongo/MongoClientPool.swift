import VeredictoCore
/// A pool of connections to one MongoDB deployment, shared by every task of the process.
///
/// Each operation pops a client from libmongoc's thread-safe pool, runs on one of the pool's
/// own threads (never on Swift's cooperative threads, since libmongoc blocks on the network),
/// and pushes the client back. At most `threadCount` operations run at once; more wait in
/// order.
///
/// ```swift
/// let pool = try MongoClientPool(uri: "mongodb://127.0.0.1:27017")
/// let db = pool.database("yahoo_db")
/// let result = try await db.bulkWrite(collection: "results", operations: upserts, ordered: false)
/// pool.close()
/// ```
public final class MongoClientPool: Sendable {
    private let clients: MongocClientPool
    private let threads: BlockingExecutor

    /// Connects lazily to `uri` (no round trip here: use `ping()` to check the server).
    ///
    /// - Parameters:
    ///   - uri: a `mongodb://` or `mongodb+srv://` connection string; a malformed one throws
    ///     a `MongocError` with code `.invalidURI` whose message says what to fix.
    ///   - appName: shown in the server's logs and `currentOp` (unless the URI sets `appname`).
    ///   - threadCount: operations that may run at once (also the most connections opened).
    public init(uri: String, appName: String = "veredicto", threadCount: Int = 4) throws {
        precondition(threadCount > 0, "threadCount must be positive")
        clients = try MongocClientPool(uri: uri, appName: appName, maxClients: threadCount)
        threads = BlockingExecutor(name: "mongo", threadCount: threadCount)
    }

    deinit {
        threads.shutdown()
    }

    /// Throws the error `init(uri:)` would throw for `uri`, without making a pool.
    public static func validate(uri: String) throws {
        try MongocClientPool.validate(uri)
    }

    /// The database `name` of this deployment (no round trip).
    public func database(_ name: String) -> MongoDatabase {
        MongoDatabase(name: name, pool: self)
    }

    /// Asks the server to answer (`{ping: 1}`); throws when no server can be reached within
    /// the URI's `serverSelectionTimeoutMS` (30 s unless set).
    public func ping() async throws {
        _ = try await run { client in
            try client.command(database: "admin", BSONDocument(["ping": 1]))
        }
    }

    /// Lets running and queued operations finish, then stops the pool's threads; later
    /// operations throw `MongocError` `.closed`. Blocks until then. Idempotent; `deinit`
    /// closes a pool that was not closed.
    public func close() {
        threads.shutdown()
    }

    /// Runs `body` with a client on one of the pool's threads and returns its result.
    func run<Result>(_ body: sending @escaping (MongocClient) throws -> sending Result) async throws -> sending Result {
        try Task.checkCancellation()
        let clients = self.clients
        // `body` was sent here and is used once, by the job: the checker cannot follow it
        // through the continuation's closure.
        nonisolated(unsafe) let body = body
        return try await withCheckedThrowingContinuation { continuation in
            let submitted = threads.submit {
                do {
                    continuation.resume(returning: try clients.withClient(body))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            if !submitted {
                continuation.resume(throwing: MongocError(.closed, "the MongoDB client pool is closed"))
            }
        }
    }
}

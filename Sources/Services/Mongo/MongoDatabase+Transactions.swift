import Foundation

extension MongoDatabase {
    /// Runs `body` in a multi-document transaction and commits it: either all of its writes
    /// become visible at once, or none do.
    ///
    /// The whole transaction, retries included, runs on one of the pool's blocking threads
    /// with one client and one session; `body` is synchronous and does its reads and writes
    /// through the `MongoTransaction` it is given.
    ///
    /// - If `body` throws, the transaction is aborted and the error rethrown.
    /// - When the server aborted the transaction for a reason that may not recur (an error
    ///   labelled `TransientTransactionError`: a write conflict with another transaction, a
    ///   lost connection), the whole transaction is run again, `body` included, after a short
    ///   random pause, up to `maxAttempts` runs in all. `body` must therefore be safe to run
    ///   more than once: its effects outside the database are not undone.
    /// - When the commit's outcome is unknown (`UnknownTransactionCommitResult`), only the
    ///   commit is sent again, up to `maxAttempts` times.
    ///
    /// Errors are `MongocError`s; a duplicate key inside the transaction aborts it and is
    /// thrown with `isDuplicateKey`.
    ///
    /// ```swift
    /// let total = try await db.withTransaction { txn in
    ///     let doc = try txn.findOne(collection: "totals", id: "q1")
    ///     let total = (doc?["n"]?.int64Value ?? 0) + 1
    ///     try txn.updateOne(collection: "totals", filter: BSONDocument(["_id": "q1"]),
    ///                       update: BSONDocument(["$set": ["n": .int64(total)]]), upsert: true)
    ///     return total
    /// }
    /// ```
    public func withTransaction<Result: Sendable>(
        maxAttempts: Int = 5, _ body: @escaping @Sendable (MongoTransaction) throws -> Result
    ) async throws -> Result {
        precondition(maxAttempts > 0, "maxAttempts must be positive")
        let database = name
        return try await pool.run { client in
            let session = try MongocClientSession(client: client)
            return try Self.runTransaction(
                database: database, client: client, session: session, maxAttempts: maxAttempts, body)
        }
    }

    /// The attempts of `withTransaction`, on the pool's thread.
    private static func runTransaction<Result>(
        database: String, client: MongocClient, session: MongocClientSession, maxAttempts: Int,
        _ body: (MongoTransaction) throws -> Result
    ) throws -> Result {
        var attempt = 1
        while true {
            try session.startTransaction()
            let transaction = MongoTransaction(databaseName: database, client: client, session: session)
            let result: Result
            do {
                defer { transaction.close() }
                result = try body(transaction)
                // The body caught an operation's error: the server will not commit.
                if let failure = transaction.failure { throw failure }
            } catch {
                session.abortTransaction()
                if attempt < maxAttempts, let error = error as? MongocError, error.hasLabel(.transientTransaction) {
                    attempt += 1
                    pauseBeforeRetry(attempt: attempt)
                    continue
                }
                throw error
            }

            do {
                try commit(session, maxAttempts: maxAttempts)
                return result
            } catch let error as MongocError where attempt < maxAttempts && error.hasLabel(.transientTransaction) {
                // The server aborted the transaction at commit (a write conflict found then).
                attempt += 1
                pauseBeforeRetry(attempt: attempt)
            }
        }
    }

    /// Commits, sending the commit again while its outcome is unknown.
    private static func commit(_ session: MongocClientSession, maxAttempts: Int) throws {
        var attempt = 1
        while true {
            do {
                try session.commitTransaction()
                return
            } catch let error as MongocError
                where attempt < maxAttempts && error.hasLabel(.unknownTransactionCommitResult)
            {
                attempt += 1
            }
        }
    }

    /// A random pause of up to 2^(attempt-1) ms (at most 100 ms) before running a transaction
    /// again, so that transactions that conflicted do not meet again in lockstep. It blocks
    /// the pool's thread, as the rest of the transaction does.
    private static func pauseBeforeRetry(attempt: Int) {
        let ceiling = min(1 << min(attempt - 1, 7), 100)
        Thread.sleep(forTimeInterval: Double.random(in: 0...Double(ceiling)) / 1000)
    }
}

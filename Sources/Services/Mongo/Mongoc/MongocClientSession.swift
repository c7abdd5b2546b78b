import CMongoC
import CMongoShim

/// Owns a `mongoc_client_session_t` started on one popped client, and runs the session's
/// transactions: start, commit, abort, and the `sessionId` that ties an operation to them.
///
/// Used only by the thread that holds the client, and destroyed before the client goes back
/// to the pool (libmongoc requires a session to end before its client is pushed). Destroying
/// it aborts a transaction still in progress.
final class MongocClientSession {
    private let pointer: OpaquePointer

    /// Starts a session on `client` (no round trip: the server learns of it with the first
    /// operation).
    init(client: MongocClient) throws {
        var error = bson_error_t()
        guard let pointer = mongoc_client_start_session(client.pointer, nil, &error) else {
            throw MongocError(error, context: "cannot start a MongoDB session")
        }
        self.pointer = pointer
    }

    deinit {
        mongoc_client_session_destroy(pointer)
    }

    /// Starts a transaction: its reads see one snapshot of the data (read concern
    /// "snapshot"), and its commit waits for a majority of the replica set (write concern
    /// "majority"). Nothing is sent yet: libmongoc starts the transaction on the server with
    /// the first operation.
    func startTransaction() throws {
        guard let options = mongoc_transaction_opts_new() else {
            fatalError("out of memory allocating transaction options")
        }
        defer { mongoc_transaction_opts_destroy(options) }
        let readConcern = mongoc_read_concern_new()
        defer { mongoc_read_concern_destroy(readConcern) }
        _ = mongoc_read_concern_set_level(readConcern, MONGOC_READ_CONCERN_LEVEL_SNAPSHOT)
        mongoc_transaction_opts_set_read_concern(options, readConcern)
        let writeConcern = mongoc_write_concern_new()
        defer { mongoc_write_concern_destroy(writeConcern) }
        mongoc_write_concern_set_w(writeConcern, MONGOC_WRITE_CONCERN_W_MAJORITY)
        mongoc_transaction_opts_set_write_concern(options, writeConcern)

        var error = bson_error_t()
        guard mongoc_client_session_start_transaction(pointer, options, &error) else {
            throw MongocError(error, context: "cannot start a transaction")
        }
    }

    /// Whether a transaction was started and neither committed nor aborted since.
    var inTransaction: Bool {
        mongoc_client_session_in_transaction(pointer)
    }

    /// Adds the session's `sessionId` to an operation's options, so that the operation runs in
    /// the session's transaction.
    func append(to options: BSONDocument) throws {
        var error = bson_error_t()
        guard mongoc_client_session_append(pointer, options.pointer, &error) else {
            throw MongocError(error, context: "cannot add the session to an operation")
        }
    }

    /// Commits the transaction. The thrown error carries the reply's labels:
    /// `unknownTransactionCommitResult` when committing again may succeed,
    /// `transientTransaction` when the server aborted the transaction and it can be run again.
    func commitTransaction() throws {
        let reply = BSONDocument()
        var error = bson_error_t()
        let committed = reply.withPointer { mongoc_client_session_commit_transaction(pointer, $0, &error) }
        guard committed else {
            throw MongocError(error, reply: reply, context: "commitTransaction failed")
        }
    }

    /// Aborts the transaction, if one is in progress. Errors are ignored, as the transactions
    /// specification asks: the server may have aborted it already (a failed statement does
    /// that, and every write conflict then ends in a NoSuchTransaction reply here), and one it
    /// cannot be told about ends at its transaction lifetime limit. libmongoc's warning about
    /// such a failure is not logged either.
    func abortTransaction() {
        guard inTransaction else { return }
        var error = bson_error_t()
        cmongoshim_log_silence_begin()
        defer { cmongoshim_log_silence_end() }
        _ = mongoc_client_session_abort_transaction(pointer, &error)
    }
}

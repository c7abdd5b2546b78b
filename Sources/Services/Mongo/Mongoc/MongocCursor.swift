import CMongoC

/// Owns a `mongoc_cursor_t` (from find or aggregate) and reads it to the end.
final class MongocCursor {
    private let pointer: OpaquePointer
    private let context: String

    /// Takes ownership of `pointer`; `context` names the operation in errors.
    init(taking pointer: OpaquePointer, context: String) {
        self.pointer = pointer
        self.context = context
    }

    deinit {
        mongoc_cursor_destroy(pointer)
    }

    /// Every remaining document, copied out of the cursor's buffer (the server is asked for
    /// more batches as needed).
    func readAll() throws -> sending [BSONDocument] {
        // Copies that nothing else references: the checker cannot see that libmongoc keeps
        // no reference to them, so they are exempted from region checking.
        nonisolated(unsafe) var documents: [BSONDocument] = []
        var current: OpaquePointer?
        while mongoc_cursor_next(pointer, &current) {
            if let current { documents.append(BSONDocument(copying: current)) }
        }
        var error = bson_error_t()
        var reply: OpaquePointer?
        if mongoc_cursor_error_document(pointer, &error, &reply) {
            // The reply (owned by the cursor) carries the labels of an error in a transaction.
            throw MongocError(error, reply: reply, context: context)
        }
        return documents
    }
}

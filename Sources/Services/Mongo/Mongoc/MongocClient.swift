import CMongoC

/// A `mongoc_client_t` popped from a `MongocClientPool`, valid only inside the
/// `withClient` closure that received it, and used by that one thread.
struct MongocClient {
    let pointer: OpaquePointer

    /// A handle to `database.collection` (no round trip).
    func collection(database: String, name: String) -> MongocCollection {
        MongocCollection(client: self, database: database, name: name)
    }

    /// Runs a command in `database` and returns the server's reply.
    func command(database: String, _ command: BSONDocument) throws -> sending BSONDocument {
        // A new document that only this call writes: the checker cannot see that libmongoc
        // keeps no reference to it, so it is exempted from region checking.
        nonisolated(unsafe) let reply = BSONDocument()
        var error = bson_error_t()
        guard mongoc_client_command_simple(pointer, database, command.pointer, nil, reply.pointer, &error) else {
            let name = command.keys.first ?? "command"
            throw MongocError(error, context: "\(name) on database \(database) failed")
        }
        return reply
    }

    /// Drops `database` and everything in it.
    func dropDatabase(_ name: String) throws {
        guard let database = mongoc_client_get_database(pointer, name) else {
            throw MongocError(.invalidArgument, "invalid database name \(name)")
        }
        defer { mongoc_database_destroy(database) }
        var error = bson_error_t()
        guard mongoc_database_drop_with_opts(database, nil, &error) else {
            throw MongocError(error, context: "dropping database \(name) failed")
        }
    }
}

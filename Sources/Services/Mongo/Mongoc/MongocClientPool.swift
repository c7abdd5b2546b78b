import CMongoC
import CMongoShim
import Glibc

/// Owns a `mongoc_client_pool_t` and the `mongoc_uri_t` it was made from.
///
/// `@unchecked Sendable`: libmongoc documents `mongoc_client_pool_t` as thread-safe (pop and
/// push from any thread); a popped `mongoc_client_t` is used by one thread at a time, inside
/// `withClient`, and then pushed back. The URI is only read after `init`.
final class MongocClientPool: @unchecked Sendable {
    private let uri: OpaquePointer
    private let pool: OpaquePointer

    /// `mongoc_init()` runs once per process, before the first URI or pool is made, with
    /// the log handler of the shim (warnings and worse only); `mongoc_cleanup()` is left to
    /// process exit, as libmongoc allows. Its performance counters stay in process memory
    /// (`MONGOC_DISABLE_SHM`): in shared memory they leave a /dev/shm file behind every killed
    /// process, and when that fails libmongoc writes a line to stderr that no caller asked for.
    private static let libraryInitialized: Bool = {
        setenv("MONGOC_DISABLE_SHM", "1", 0)
        mongoc_init()
        cmongoshim_log_install()
        return true
    }()

    /// Parses and checks `uri`, and makes a pool of at most `maxClients` clients.
    init(uri string: String, appName: String, maxClients: Int) throws {
        _ = MongocClientPool.libraryInitialized
        uri = try MongocClientPool.parse(string)
        var error = bson_error_t()
        guard let pool = mongoc_client_pool_new_with_error(uri, &error) else {
            mongoc_uri_destroy(uri)
            throw MongocError(error, context: "cannot create a MongoDB client pool")
        }
        self.pool = pool
        // Server errors in MONGOC_ERROR_SERVER with the server's code (11000 stays 11000).
        mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2)
        mongoc_client_pool_max_size(pool, UInt32(clamping: maxClients))
        if !mongoc_uri_has_option(uri, MONGOC_URI_APPNAME) {
            _ = mongoc_client_pool_set_appname(pool, appName)
        }
    }

    deinit {
        mongoc_client_pool_destroy(pool)
        mongoc_uri_destroy(uri)
    }

    /// Pops a client, runs `body` with it, and pushes it back. Blocks while all `maxClients`
    /// clients are in use.
    func withClient<Result>(_ body: (MongocClient) throws -> sending Result) throws -> sending Result {
        guard let client = mongoc_client_pool_pop(pool) else {
            throw MongocError(.connection, "the MongoDB client pool returned no client")
        }
        defer { mongoc_client_pool_push(pool, client) }
        return try body(MongocClient(pointer: client))
    }

    /// A parsed URI, or an error whose one line says what to fix.
    static func parse(_ string: String) throws -> OpaquePointer {
        _ = libraryInitialized
        var error = bson_error_t()
        cmongoshim_log_capture_begin()
        let parsed = mongoc_uri_new_with_error(string, &error)
        var logged = [CChar](repeating: 0, count: 512)
        let loggedLength = cmongoshim_log_capture_end(&logged, logged.count)
        guard let uri = parsed else {
            // libmongoc often logs the precise cause ("Port could not be parsed") and returns a
            // general one ("Invalid host string in URI").
            var reason = MongocError.message(of: error)
            if loggedLength > 0 {
                reason += ": " + String(decoding: logged.prefix(loggedLength).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            throw MongocError(
                .invalidURI,
                "invalid MongoDB URI (\(reason)): expected mongodb://HOST[:PORT][,HOST...][/DATABASE][?OPTIONS] "
                    + "or mongodb+srv://HOST, e.g. mongodb://127.0.0.1:27017")
        }
        return uri
    }

    /// Checks `string` as `init` would, without making a pool.
    static func validate(_ string: String) throws {
        mongoc_uri_destroy(try parse(string))
    }
}

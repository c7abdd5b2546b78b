import CMongoC
import Testing

@testable import Mongo
@testable import Scoring

/// Connection-string checks and error mapping, without a server.
@Suite struct MongoURITests {
    @Test(arguments: [
        "mongodb://127.0.0.1:27017",
        "mongodb://user:secret@db1:27017,db2:27018/yahoo_db?replicaSet=rs0&w=majority",
        "mongodb://localhost",
    ])
    func acceptsValidURIs(uri: String) throws {
        try MongoClientPool.validate(uri: uri)
        let pool = try MongoClientPool(uri: uri, threadCount: 1)  // connects lazily
        pool.close()
    }

    @Test(arguments: [
        "http://127.0.0.1:27017",
        "mongodb://",
        "mongodb://127.0.0.1:notaport",
        "127.0.0.1:27017",
        "",
    ])
    func rejectsInvalidURIsInOneLineThatSaysWhatToFix(uri: String) {
        #expect {
            try MongoClientPool(uri: uri)
        } throws: { error in
            guard let error = error as? MongocError else { return false }
            return error.code == .invalidURI && !error.message.contains("\n")
                && error.message.contains("expected mongodb://")
        }
    }

    @Test func invalidPortIsNamedInTheMessage() {
        #expect {
            try MongoClientPool.validate(uri: "mongodb://127.0.0.1:notaport")
        } throws: { error in
            (error as? MongocError)?.message.contains("Port could not be parsed") == true
        }
    }

    @Test func unreachableServerFailsAsAConnectionError() async {
        let pool = try? MongoClientPool(uri: "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300", threadCount: 1)
        await #expect {
            try await pool?.ping()
        } throws: { error in
            (error as? MongocError)?.code == .connection
        }
        pool?.close()
    }

    @Test func closedPoolRejectsOperations() async throws {
        let pool = try MongoClientPool(uri: "mongodb://127.0.0.1:1", threadCount: 1)
        pool.close()
        pool.close()
        await #expect {
            try await pool.database("x").count(collection: "y")
        } throws: { error in
            (error as? MongocError)?.code == .closed
        }
    }

    @Test func errorCodesMapInOnePlace() {
        typealias Code = MongocError.Code
        #expect(Code(domain: MONGOC_ERROR_SERVER.rawValue, code: 11000) == .duplicateKey)
        #expect(Code(domain: MONGOC_ERROR_COLLECTION.rawValue, code: 11000) == .duplicateKey)
        #expect(Code(domain: MONGOC_ERROR_SERVER.rawValue, code: 2) == .server)
        #expect(Code(domain: MONGOC_ERROR_STREAM.rawValue, code: MONGOC_ERROR_STREAM_CONNECT.rawValue) == .connection)
        #expect(Code(domain: MONGOC_ERROR_SERVER_SELECTION.rawValue, code: 13053) == .connection)
        #expect(
            Code(domain: MONGOC_ERROR_CLIENT.rawValue, code: MONGOC_ERROR_CLIENT_AUTHENTICATE.rawValue)
                == .authentication)
        #expect(Code(domain: MONGOC_ERROR_WRITE_CONCERN.rawValue, code: 64) == .writeConcern)
        #expect(Code(domain: MONGOC_ERROR_BSON.rawValue, code: 1) == .invalidDocument)
        #expect(MongoWriteError(index: 3, code: MongocError.duplicateKeyCode, message: "E11000").isDuplicateKey)
        #expect(!MongoWriteError(index: 3, code: 121, message: "validation").isDuplicateKey)
    }
}

import Testing

@testable import Mongo

/// How server replies become `MongocError` codes and labels (no server needed).
@Suite struct MongocErrorTests {
    @Test func labelsAreReadFromTheReply() throws {
        let reply = try BSONDocument.fromJSON(
            #"{"ok": 0, "code": 112, "errorLabels": ["TransientTransactionError", "SomethingNew"]}"#)
        #expect(MongocError.labels(of: reply) == [.transientTransaction])
        let commit = try BSONDocument.fromJSON(#"{"ok": 0, "errorLabels": ["UnknownTransactionCommitResult"]}"#)
        #expect(MongocError.labels(of: commit) == [.unknownTransactionCommitResult])
        #expect(MongocError.labels(of: BSONDocument(["ok": 1])).isEmpty)
    }

    @Test func writeErrorsKeepTheServerCode() {
        let duplicate = MongocError(MongoWriteError(index: 0, code: 11000, message: "E11000"), context: "insert")
        #expect(duplicate.isDuplicateKey)
        #expect(duplicate.libraryCode == 11000)
        let conflict = MongocError(MongoWriteError(index: 0, code: 112, message: "WriteConflict"), context: "update")
        #expect(conflict.code == .writeConflict)
        let other = MongocError(MongoWriteError(index: 2, code: 121, message: "validation"), context: "insert")
        #expect(other.code == .server)
        #expect(!other.hasLabel(.transientTransaction))
    }
}

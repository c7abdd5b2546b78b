import Testing

@testable import Mongo
import VeredictoCore

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

    /// A document the server refuses fails the same way on every retry: the runner sets it
    /// aside instead of retrying it forever. A lost server or a conflict may pass.
    @Test func rejectedDocumentsArePermanentAndOutagesAreNot() {
        let rejected = [121, 2, 22, 10334].map {
            MongocError(MongoWriteError(index: 0, code: $0, message: "rejected"), context: "insert")
        }
        #expect(rejected.allSatisfy { $0.isPermanentFailure })
        #expect(MongocError(.invalidDocument, "bad BSON").isPermanentFailure)
        let transient = [MongocError(MongoWriteError(index: 0, code: 112, message: "WriteConflict"), context: "update"),
                         MongocError(MongoWriteError(index: 0, code: 91, message: "shutting down"), context: "update"),
                         MongocError(.connection, "no server"), MongocError(.writeConcern, "timeout")]
        #expect(transient.allSatisfy { !$0.isPermanentFailure })
    }
}

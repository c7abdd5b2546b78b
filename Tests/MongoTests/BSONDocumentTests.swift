import Testing

@testable import Mongo

/// Building documents and reading them back, without a server.
@Suite struct BSONDocumentTests {
    @Test func appendsEveryTypeAndReadsItBack() {
        let document = BSONDocument()
        document.appendString("s", "héllo")
        document.appendInt32("i32", -7)
        document.appendInt64("i64", 1 << 40)
        document.appendDouble("d", 0.65)
        document.appendBool("b", true)
        document.appendNull("n")
        document.appendDate("t", milliseconds: 1_700_000_000_123)
        document.appendDocument("doc", BSONDocument(["k": "v", "x": 1]))
        document.appendArray("arr", [1, "two", 3.0])
        document.appendObjectID("oid", hex: "65a1b2c3d4e5f60718293a4b")

        #expect(document.count == 10)
        #expect(document.keys == ["s", "i32", "i64", "d", "b", "n", "t", "doc", "arr", "oid"])
        #expect(document["s"] == .string("héllo"))
        #expect(document["i32"] == .int32(-7))
        #expect(document["i64"] == .int64(1 << 40))
        #expect(document["d"] == .double(0.65))
        #expect(document["b"] == .bool(true))
        #expect(document["n"] == .null)
        #expect(document["t"] == .date(milliseconds: 1_700_000_000_123))
        #expect(document["doc"] == .document([BSONField("k", "v"), BSONField("x", .int64(1))]))
        #expect(document["arr"] == .array([.int64(1), .string("two"), .double(3)]))
        #expect(document["oid"] == .objectID("65a1b2c3d4e5f60718293a4b"))
        #expect(document["missing"] == nil)
    }

    @Test func literalsBuildNestedUpdates() {
        let update = BSONDocument([
            "$set": ["status": "accepted", "score": 0.8],
            "$inc": ["times_asked": 1],
            "$push": ["history": ["$each": [0.5], "$slice": -3]],
        ])
        #expect(update["$inc"]?["times_asked"] == .int64(1))
        #expect(update["$push"]?["history"]?["$slice"]?.int64Value == -3)
        #expect(update["$set"]?["score"]?.doubleValue == 0.8)
        #expect(update.relaxedExtendedJSON.contains(#""$each" : [ 0.5 ]"#))
    }

    @Test func relaxedExtendedJSONIsExact() {
        let document = BSONDocument(["_id": "q1", "n": .int32(3), "ok": true, "none": .null])
        #expect(document.relaxedExtendedJSON == #"{ "_id" : "q1", "n" : 3, "ok" : true, "none" : null }"#)
        #expect(document.description == document.relaxedExtendedJSON)
    }

    @Test func parsesExtendedJSON() throws {
        let document = try BSONDocument.fromJSON(
            #"{"a": 1, "b": {"$numberLong": "5"}, "c": [true, null], "d": {"$date": "2024-01-02T03:04:05.006Z"}}"#)
        #expect(document["a"] == .int32(1))
        #expect(document["b"] == .int64(5))
        #expect(document["c"] == .array([.bool(true), .null]))
        #expect(document["d"] == .date(milliseconds: 1_704_164_645_006))
    }

    @Test func invalidJSONThrowsInvalidDocument() {
        #expect {
            try BSONDocument.fromJSON(#"{"a": "#)
        } throws: { error in
            (error as? MongocError)?.code == .invalidDocument
        }
    }

    @Test func otherTypesRoundTrip() throws {
        let source = try BSONDocument.fromJSON(
            #"{"ts": {"$timestamp": {"t": 7, "i": 2}}, "dec": {"$numberDecimal": "1.50"}}"#)
        let timestamp = try #require(source["ts"])
        guard case .other(let typeCode, _) = timestamp else {
            Issue.record("timestamp read as \(timestamp)")
            return
        }
        #expect(typeCode == 0x11)
        let copy = BSONDocument(fields: source.fields)
        #expect(copy.relaxedExtendedJSON == source.relaxedExtendedJSON)
        #expect(copy["dec"] == source["dec"])
    }

    @Test func stringsKeepEmbeddedNULAndUnicode() {
        let text = "a\u{0}b – 日本語 🙂"
        let document = BSONDocument()
        document.appendString("text", text)
        #expect(document["text"]?.stringValue == text)
    }

    @Test func largeDocumentsGrowPastTheInlineBuffer() {
        let document = BSONDocument()
        for index in 0..<2_000 {
            document.appendString("field\(index)", String(repeating: "x", count: index % 50))
        }
        #expect(document.count == 2_000)
        #expect(document.byteCount > 50_000)
        #expect(document["field1999"]?.stringValue == String(repeating: "x", count: 1999 % 50))
        let copy = BSONDocument(fields: document.fields)
        #expect(copy.byteCount == document.byteCount)
    }

    @Test func numericAccessorsAcceptEveryNumericType() {
        #expect(BSONValue.int32(4).int64Value == 4)
        #expect(BSONValue.double(4).int64Value == 4)
        #expect(BSONValue.double(4.5).int64Value == nil)
        #expect(BSONValue.int64(9).doubleValue == 9)
        #expect(BSONValue.string("9").doubleValue == nil)
        #expect(BSONValue.array([1, 2])[1] == .int64(2))
        #expect(BSONValue.array([1, 2])[2] == nil)
    }
}

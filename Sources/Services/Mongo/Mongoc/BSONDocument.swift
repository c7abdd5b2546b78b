import CMongoC
import CMongoShim

/// A BSON document owned by Swift: built by appending fields, read back as `BSONValue`s
/// (see `BSONDocument+Reading.swift`), and passed to the MongoDB operations.
///
/// It owns one libbson `bson_t` (in storage from `cmongoshim_bson_new`, since Debian's libbson
/// aligns `bson_t` to 128 bytes and Swift cannot hold it as a value), destroyed in `deinit`.
/// A document is not `Sendable`: the operations take it as `sending`, so a document built
/// in one task can be handed to the driver's threads without being shared.
///
/// Appending never fails for valid input; a key that contains a NUL byte, or a document
/// beyond libbson's 2 GiB limit, is a programmer error and stops the program.
public final class BSONDocument {
    /// The `bson_t *`; valid for the document's lifetime.
    let pointer: OpaquePointer

    /// An empty document.
    public init() {
        guard let pointer = cmongoshim_bson_new() else { fatalError("out of memory allocating a BSON document") }
        self.pointer = pointer
    }

    /// A document with these fields, in this order.
    public convenience init(_ fields: KeyValuePairs<String, BSONValue>) {
        self.init()
        for (key, value) in fields { append(key, value) }
    }

    /// A document with these fields, in this order.
    public convenience init(fields: [BSONField]) {
        self.init()
        for field in fields { append(field.key, field.value) }
    }

    /// A copy of a document that libmongoc owns (a cursor's current document, a reply).
    convenience init(copying source: OpaquePointer) {
        self.init()
        // bson_copy_to overwrites its destination; an empty inline document owns no buffer.
        bson_copy_to(source, pointer)
    }

    /// A document parsed from (relaxed or canonical) MongoDB extended JSON.
    public static func fromJSON(_ json: String) throws -> BSONDocument {
        var error = bson_error_t()
        let parsed = json.withCString { text in
            text.withMemoryRebound(to: UInt8.self, capacity: json.utf8.count) {
                bson_new_from_json($0, json.utf8.count, &error)
            }
        }
        guard let parsed else {
            throw MongocError(.invalidDocument, "cannot parse extended JSON: \(MongocError.message(of: error))")
        }
        defer { bson_destroy(parsed) }
        return BSONDocument(copying: parsed)
    }

    deinit {
        cmongoshim_bson_free(pointer)
    }

    // MARK: - Appending

    public func appendString(_ key: String, _ value: String) {
        appending(key) { bson, name, length in
            value.withCString { bson_append_utf8(bson, name, length, $0, Int32(value.utf8.count)) }
        }
    }

    public func appendInt32(_ key: String, _ value: Int32) {
        appending(key) { bson_append_int32($0, $1, $2, value) }
    }

    public func appendInt64(_ key: String, _ value: Int64) {
        appending(key) { bson_append_int64($0, $1, $2, value) }
    }

    public func appendDouble(_ key: String, _ value: Double) {
        appending(key) { bson_append_double($0, $1, $2, value) }
    }

    public func appendBool(_ key: String, _ value: Bool) {
        appending(key) { bson_append_bool($0, $1, $2, value) }
    }

    public func appendNull(_ key: String) {
        appending(key) { bson_append_null($0, $1, $2) }
    }

    /// A UTC datetime, `milliseconds` since the Unix epoch.
    public func appendDate(_ key: String, milliseconds: Int64) {
        appending(key) { bson_append_date_time($0, $1, $2, milliseconds) }
    }

    /// An embedded document (its bytes are copied).
    public func appendDocument(_ key: String, _ document: BSONDocument) {
        appending(key) { bson_append_document($0, $1, $2, document.pointer) }
    }

    /// An array of documents, e.g. an aggregation pipeline.
    public func appendArray(_ key: String, documents: [BSONDocument]) {
        let array = BSONDocument()
        for (index, document) in documents.enumerated() {
            array.appendDocument(String(index), document)
        }
        appending(key) { bson_append_array($0, $1, $2, array.pointer) }
    }

    public func appendArray(_ key: String, _ values: [BSONValue]) {
        let array = BSONDocument()
        for (index, value) in values.enumerated() {
            array.append(String(index), value)
        }
        appending(key) { bson_append_array($0, $1, $2, array.pointer) }
    }

    /// An ObjectId from 24 hex digits.
    public func appendObjectID(_ key: String, hex: String) {
        precondition(bson_oid_is_valid(hex, hex.utf8.count), "not an ObjectId: \(hex)")
        var oid = bson_oid_t()
        bson_oid_init_from_string(&oid, hex)
        appending(key) { bson_append_oid($0, $1, $2, &oid) }
    }

    /// Appends any value, with the BSON type its case names.
    public func append(_ key: String, _ value: BSONValue) {
        switch value {
        case .double(let double): appendDouble(key, double)
        case .string(let string): appendString(key, string)
        case .document(let fields): appendDocument(key, BSONDocument(fields: fields))
        case .array(let values): appendArray(key, values)
        case .objectID(let hex): appendObjectID(key, hex: hex)
        case .bool(let bool): appendBool(key, bool)
        case .date(let milliseconds): appendDate(key, milliseconds: milliseconds)
        case .null: appendNull(key)
        case .int32(let int32): appendInt32(key, int32)
        case .int64(let int64): appendInt64(key, int64)
        case .other(_, let json): appendOther(key, canonicalExtendedJSON: json)
        }
    }

    /// Re-appends a value read as `.other`: the first field of its one-field JSON document.
    private func appendOther(_ key: String, canonicalExtendedJSON json: String) {
        guard let holder = try? BSONDocument.fromJSON(json) else {
            preconditionFailure("not the extended JSON of a BSON value: \(json)")
        }
        let iterator = BSONIterator(document: holder)
        precondition(iterator.next(), "empty extended JSON document for a BSON value: \(json)")
        appending(key) { bson, name, length in
            iterator.withPointer { bson_append_iter(bson, name, length, $0) }
        }
    }

    /// Calls a `bson_append_*` function with the key as a C string and its byte length.
    private func appending(_ key: String, _ append: (OpaquePointer, UnsafePointer<CChar>, Int32) -> Bool) {
        let appended = key.withCString { append(pointer, $0, Int32(key.utf8.count)) }
        precondition(appended, "cannot append field \"\(key)\": NUL in the key or document over 2 GiB")
    }

    /// Runs `body` with the `bson_t *`, which is valid only inside it.
    func withPointer<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        try body(pointer)
    }
}

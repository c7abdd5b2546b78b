import CMongoC
import CMongoShim

/// Owns one libbson `bson_iter_t` (heap storage from `cmongoshim_iter_new`: the struct is aligned to
/// 128 bytes) and reads the fields of one document, or of one embedded document or array.
///
/// It keeps the document it walks alive; embedded levels keep their parent alive.
final class BSONIterator {
    private let pointer: OpaquePointer
    private let owner: AnyObject

    /// An iterator before the first field of `document`.
    init(document: BSONDocument) {
        pointer = BSONIterator.allocate()
        owner = document
        let valid = bson_iter_init(pointer, document.pointer)
        precondition(valid, "libbson rejected a document it built")
    }

    /// An iterator over the embedded document or array that `parent` is on.
    private init(recursingInto parent: BSONIterator) {
        pointer = BSONIterator.allocate()
        owner = parent
        let valid = bson_iter_recurse(parent.pointer, pointer)
        precondition(valid, "bson_iter_recurse on a field that is no document or array")
    }

    private static func allocate() -> OpaquePointer {
        guard let pointer = cmongoshim_iter_new() else { fatalError("out of memory allocating a BSON iterator") }
        return pointer
    }

    deinit {
        cmongoshim_iter_free(pointer)
    }

    /// Moves to the next field; false after the last one.
    func next() -> Bool { bson_iter_next(pointer) }

    /// Moves to the first field named `key` (from the start of the document).
    func find(_ key: String) -> Bool {
        while next() {
            if self.key == key { return true }
        }
        return false
    }

    var key: String { String(cString: bson_iter_key(pointer)) }

    /// The remaining fields of this level, in order.
    func fields() -> [BSONField] {
        var fields: [BSONField] = []
        while next() { fields.append(BSONField(key, value)) }
        return fields
    }

    /// The value of the current field.
    var value: BSONValue {
        let type = bson_iter_type(pointer)
        switch type {
        case BSON_TYPE_DOUBLE:
            return .double(bson_iter_double(pointer))
        case BSON_TYPE_UTF8:
            var length: UInt32 = 0
            guard let bytes = bson_iter_utf8(pointer, &length) else { return .string("") }
            let buffer = UnsafeRawBufferPointer(start: bytes, count: Int(length))
            return .string(String(decoding: buffer, as: UTF8.self))
        case BSON_TYPE_DOCUMENT:
            return .document(BSONIterator(recursingInto: self).fields())
        case BSON_TYPE_ARRAY:
            return .array(BSONIterator(recursingInto: self).fields().map(\.value))
        case BSON_TYPE_OID:
            var text = [CChar](repeating: 0, count: 25)
            bson_oid_to_string(bson_iter_oid(pointer), &text)
            return .objectID(String(decoding: text.prefix(24).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        case BSON_TYPE_BOOL:
            return .bool(bson_iter_bool(pointer))
        case BSON_TYPE_DATE_TIME:
            return .date(milliseconds: bson_iter_date_time(pointer))
        case BSON_TYPE_NULL:
            return .null
        case BSON_TYPE_INT32:
            return .int32(bson_iter_int32(pointer))
        case BSON_TYPE_INT64:
            return .int64(bson_iter_int64(pointer))
        default:
            return otherValue(typeCode: UInt8(truncatingIfNeeded: type.rawValue))
        }
    }

    /// A value of a type without its own case, as the canonical extended JSON of `{"v": value}`.
    private func otherValue(typeCode: UInt8) -> BSONValue {
        let holder = BSONDocument()
        let appended = bson_append_iter(holder.pointer, "v", 1, pointer)
        precondition(appended, "cannot copy a BSON value of type \(typeCode)")
        guard let text = bson_as_canonical_extended_json(holder.pointer, nil) else {
            return .other(typeCode: typeCode, canonicalExtendedJSON: "{}")
        }
        defer { bson_free(text) }
        return .other(typeCode: typeCode, canonicalExtendedJSON: String(cString: text))
    }

    /// Runs `body` with the `bson_iter_t *`, positioned on the current field.
    func withPointer<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        try body(pointer)
    }
}

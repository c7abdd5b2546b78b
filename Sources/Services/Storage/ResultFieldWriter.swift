/// A document written field by field. The MongoDB `results` document (BSON) and a line of
/// results.jsonl (JSON) name the same fields: `StoredResult.writeFields` writes them once for both.
package protocol ResultFieldWriter {
    mutating func string(_ key: StaticString, _ value: String)
    mutating func double(_ key: StaticString, _ value: Double)
    mutating func integer(_ key: StaticString, _ value: Int)
    mutating func date(_ key: StaticString, milliseconds: Int64)
}

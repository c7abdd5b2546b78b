/// A document written field by field. The MongoDB documents (BSON) and the run's files (JSON)
/// name the same fields: `StoredResult.writeFields` writes a `results` document and a line of
/// results.jsonl, `PipelineMetrics.writeFields` the `metrics` document and metrics.json.
package protocol ResultFieldWriter {
    mutating func string(_ key: StaticString, _ value: String)
    mutating func double(_ key: StaticString, _ value: Double)
    mutating func integer(_ key: StaticString, _ value: Int)
    mutating func bool(_ key: StaticString, _ value: Bool)
    mutating func date(_ key: StaticString, milliseconds: Int64)
    /// A sub-document of counts by name.
    mutating func counts(_ key: StaticString, _ counts: [(name: String, count: Int)])
}

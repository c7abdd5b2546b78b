import Testing

@testable import Services

@Suite struct JSONScannerTests {
    static func fields(_ text: String) throws -> [String: String] {
        var result: [String: String] = [:]
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            try JSONScanner.scanObject(UnsafeBufferPointer(buffer)) { key, keyEscaped, value in
                let name = try JSONScanner.string(key, escaped: keyEscaped)
                switch value {
                case .string(let raw, let escaped): result[name] = "s:" + (try JSONScanner.string(raw, escaped: escaped))
                case .number(let raw): result[name] = "n:" + String(decoding: raw, as: UTF8.self)
                case .bool(let flag): result[name] = "b:\(flag)"
                case .null: result[name] = "null"
                case .composite: result[name] = "composite"
                }
            }
        }
        return result
    }

    @Test func readsFlatObjects() throws {
        let fields = try Self.fields(#" { "reference" : "a \"quoted\" line\nnext \\n \u00e9\ud83d\ude42", "n": -1.5e3, "ok": true, "no": null, "nested": {"x": [1, {"y": "}"}]}, "list": [] } "#)
        #expect(fields["reference"] == "s:a \"quoted\" line\nnext \\n é🙂")
        #expect(fields["n"] == "n:-1.5e3")
        #expect(fields["ok"] == "b:true")
        #expect(fields["no"] == "null")
        #expect(fields["nested"] == "composite")
        #expect(fields["list"] == "composite")
        #expect(try Self.fields("{}").isEmpty)
    }

    @Test func rejectsMalformedTextWithThePlace() throws {
        let cases: [(String, String)] = [
            (#"{"a": "unterminated}"#, "unterminated string"),
            (#"{"a" 1}"#, "expected ':'"),
            (#"{"a": 1,}"#, "expected a quoted field name"),
            (#"{"a": tru}"#, "invalid literal"),
            (#"{"a": 01x}"#, "expected ',' or '}'"),
            (#"["a"]"#, "expected '{'"),
            (#"{"a": 1} trailing"#, "unexpected text"),
            (#"{"a": "\q"}"#, "invalid escape"),
            ("{\"a\": \"tab\there\"}", "control character"),
            (#"{"a": [1, 2}"#, "expected ','"),
            (#"{"a": -}"#, "invalid number"),
        ]
        for (text, reason) in cases {
            do {
                _ = try Self.fields(text)
                Issue.record("accepted \(text)")
            } catch let error as JSONScanner.SyntaxError {
                #expect(error.description.contains(reason), "\(text): \(error)")
            }
        }
    }

    @Test func writerOutputReadsBack() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("text", "line \"one\"\nline\\two\t\u{01}é")
        writer.field("score", 0.125)
        writer.field("count", 42)
        writer.field("flag", false)
        writer.field("nan", Double.nan)
        writer.endObject()
        let fields = try Self.fields(String(decoding: writer.bytes, as: UTF8.self))
        #expect(fields["text"] == "s:line \"one\"\nline\\two\t\u{01}é")
        #expect(fields["score"] == "n:0.125")
        #expect(fields["count"] == "n:42")
        #expect(fields["flag"] == "b:false")
        #expect(fields["nan"] == "null")
    }
}

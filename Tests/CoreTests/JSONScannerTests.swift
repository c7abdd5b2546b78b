import Testing

@testable import VeredictoCore

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

    /// Escapes byte by byte: the reference for the writer's word-at-a-time scan.
    static func referenceEscape(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    @Test func stringsRoundTripWithSpecialBytesAtEveryOffset() throws {
        // Every byte value at every position of strings around the eight-byte word width.
        for length in 1...19 {
            for position in 0..<length {
                for special in 0...255 {
                    var text = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    text[position] = UInt8(special)
                    try Self.checkRoundTrip(text)
                }
            }
        }
        // Random bytes, some runs of ordinary text, several specials per word.
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xC3, 0xA9, 0xFF, 0x61, 0x61, 0x61]
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...64, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            try Self.checkRoundTrip(text)
        }
    }

    @Test func stringsRoundTripWithSpecialBytesAroundTheVectorWidth() throws {
        // Texts of 31 to 97 bytes cross one to three 32-byte blocks: a special byte at every
        // position, so each block's test and the word test after it are both exercised.
        let specials: [UInt8] = [0x00, 0x01, 0x0A, 0x1F, 0x20, 0x21, 0x22, 0x2F, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xC3, 0xFF]
        for length in 31...97 {
            for position in 0..<length {
                for special in specials {
                    var text = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    text[position] = special
                    try Self.checkRoundTrip(text)
                }
            }
        }
        // Two specials far apart, the second one past a clean block.
        for first in stride(from: 0, to: 40, by: 3) {
            for second in stride(from: first + 33, to: 110, by: 7) {
                var text = [UInt8](repeating: UInt8(ascii: "z"), count: 120)
                text[first] = 0x22
                text[second] = 0x5C
                try Self.checkRoundTrip(text)
            }
        }
    }

    static func checkRoundTrip(_ text: [UInt8]) throws {
        var writer = JSONWriter()
        text.withUnsafeBufferPointer { writer.string(utf8: $0) }
        let expected = referenceEscape(text)
        #expect(writer.bytes == expected, "\(text)")
        let object = Array("{\"k\":".utf8) + writer.bytes + Array("}".utf8)
        var decoded: [UInt8] = []
        try object.withUnsafeBufferPointer { buffer in
            try JSONScanner.scanObject(buffer) { _, _, value in
                guard case .string(let raw, let escaped) = value else {
                    Issue.record("not a string")
                    return
                }
                try JSONScanner.decodeString(raw, escaped: escaped, into: &decoded)
                #expect(try JSONScanner.string(raw, escaped: escaped) == String(decoding: text, as: UTF8.self))
            }
        }
        #expect(decoded == text, "\(text)")
    }

    @Test func rawControlCharactersAndUnterminatedStringsAreFoundInLongStrings() throws {
        for length in Array(0...20) + Array(28...100) {
            let prefix = String(repeating: "x", count: length)
            for (text, reason) in [
                ("{\"a\": \"\(prefix)\u{01}\"}", "control character"),
                ("{\"a\": \"\(prefix)", "unterminated string"),
                ("{\"a\": \"\(prefix)\\", "unterminated string"),
                ("{\"a\": \"\(prefix)\\\"", "unterminated string"),
            ] {
                do {
                    _ = try Self.fields(text)
                    Issue.record("accepted \(text)")
                } catch let error as JSONScanner.SyntaxError {
                    #expect(error.description.contains(reason), "\(text): \(error)")
                }
            }
        }
    }

    @Test func decodeStringAppendsAndReportsBadEscapes() throws {
        var output = Array("keep:".utf8)
        let raw = Array(#"a\u00e9\ud83d\ude42\ud800x\/\b\f"#.utf8)
        try raw.withUnsafeBufferPointer { try JSONScanner.decodeString($0, escaped: true, into: &output) }
        #expect(String(decoding: output, as: UTF8.self) == "keep:aé🙂\u{FFFD}x/\u{08}\u{0C}")
        for bad in [#"ab\q"#, #"\u12"#, #"\u12zz"#, "x\\"] {
            var target = Array("keep".utf8)
            let bytes = Array(bad.utf8)
            #expect(throws: JSONScanner.SyntaxError.self) {
                try bytes.withUnsafeBufferPointer { try JSONScanner.decodeString($0, escaped: true, into: &target) }
            }
            #expect(target == Array("keep".utf8))
        }
    }

    @Test func aKeyMatchesOnlyItsExactBytes() {
        // Names of every length the word-wise comparison treats differently (below 8, 8, 9 to 16,
        // above 16), against keys equal to them and keys differing in one byte at each place.
        let names: [StaticString] = ["", "a", "score", "message", "trace_id", "question_id", "tokens_estimated",
                                     "completion_tokens", "a_field_name_of_33_bytes_in_all_x"]
        var checked = 0
        for name in names {
            let expected = Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            expected.withUnsafeBufferPointer { #expect(JSONScanner.key($0, is: name), "\(name)") }
            for place in expected.indices {
                var changed = expected
                changed[place] ^= 0x20
                changed.withUnsafeBufferPointer { #expect(!JSONScanner.key($0, is: name), "\(name) at \(place)") }
                checked += 1
            }
            (expected + [0x61]).withUnsafeBufferPointer { #expect(!JSONScanner.key($0, is: name)) }
            if !expected.isEmpty {
                Array(expected.dropLast()).withUnsafeBufferPointer { #expect(!JSONScanner.key($0, is: name)) }
            }
        }
        #expect(checked == 98)  // 0 + 1 + 5 + 7 + 8 + 11 + 16 + 17 + 33 bytes
    }
}

import Foundation

/// Reads the first column of a CSV file (quoted fields with doubled quotes), for measuring
/// on a user's own text.
enum TextColumnReader {
    static func texts(path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
        var texts: [String] = []
        var field: [UInt8] = []
        var i = 0
        let bytes = [UInt8](data)
        while i < bytes.count {
            field.removeAll(keepingCapacity: true)
            if bytes[i] == UInt8(ascii: "\"") {
                i += 1
                while i < bytes.count {
                    if bytes[i] == UInt8(ascii: "\"") {
                        if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                            field.append(UInt8(ascii: "\""))
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    field.append(bytes[i])
                    i += 1
                }
            } else {
                while i < bytes.count && bytes[i] != UInt8(ascii: ",") && bytes[i] != 0x0A {
                    field.append(bytes[i])
                    i += 1
                }
            }
            texts.append(String(decoding: field, as: UTF8.self))
            while i < bytes.count && bytes[i] != 0x0A { i += 1 }  // rest of the row
            i += 1
        }
        return texts
    }
}

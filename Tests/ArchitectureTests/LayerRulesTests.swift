import Foundation
import Testing

/// docs/architecture.md against Package.swift, and the C-call rules the compiler cannot check.
@Suite struct LayerRulesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Each library or executable target of Package.swift with the targets it depends on
    /// (third-party products left out).
    static func packageTargets() throws -> [String: Set<String>] {
        try packageTargets(pathPrefix: "")
    }

    static func packageTargets(pathPrefix: String) throws -> [String: Set<String>] {
        var targets: [String: Set<String>] = [:]
        for declaration in declarations(in: try text("Package.swift")) {
            guard (firstQuoted(after: "path:", in: declaration) ?? "").hasPrefix(pathPrefix) else { continue }
            guard let name = firstQuoted(after: "name:", in: declaration) else { continue }
            var dependencies: Set<String> = []
            if let list = bracketed(after: "dependencies:", in: declaration) {
                let withoutProducts = list.replacing(/\.product\([^)]*\)/, with: "")
                for match in withoutProducts.matches(of: /"([^"]+)"/) { dependencies.insert(String(match.1)) }
            }
            targets[name] = dependencies
        }
        return targets
    }

    static func declarations(in manifest: String) -> [Substring] {
        let starts = manifest.matches(of: /\.(target|executableTarget|testTarget|systemLibrary)\(/)
        return starts.indices.map { index in
            let start = starts[index].range.lowerBound
            let end = index + 1 < starts.count ? starts[index + 1].range.lowerBound : manifest.endIndex
            // Test targets are not layers.
            return manifest[start..<end].hasPrefix(".testTarget") ? "" : manifest[start..<end]
        }
    }

    static func firstQuoted(after label: String, in text: Substring) -> String? {
        guard let range = text.range(of: label) else { return nil }
        return text[range.upperBound...].firstMatch(of: /"([^"]+)"/).map { String($0.1) }
    }

    static func bracketed(after label: String, in text: Substring) -> Substring? {
        guard let range = text.range(of: label), let open = text[range.upperBound...].firstIndex(of: "[") else { return nil }
        var depth = 0
        var index = open
        while index < text.endIndex {
            if text[index] == "[" { depth += 1 }
            if text[index] == "]" {
                depth -= 1
                if depth == 0 { return text[text.index(after: open)..<index] }
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// The layer table of docs/architecture.md: module → its "May import" modules.
    static func documentedLayers() throws -> [String: Set<String>] {
        var layers: [String: Set<String>] = [:]
        for line in try text("docs/architecture.md").split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 5, cells[2].hasPrefix("Sources/") else { continue }
            let imports = cells[3].replacing(/\[[^\]]*\]/, with: "").replacing("(nothing)", with: "")
            layers[cells[1]] = Set(imports.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty })
        }
        return layers
    }

    @Test func theDocumentedLayersAreThePackagesTargets() throws {
        let package = try Self.packageTargets()
        let documented = try Self.documentedLayers()
        #expect(documented.count >= 14, "the layer table of docs/architecture.md was not found")
        for (module, imports) in documented {
            let declared = try #require(package[module], "\(module) is in docs/architecture.md but not in Package.swift")
            #expect(imports == declared, "\(module): the docs say \(imports.sorted()), Package.swift \(declared.sorted())")
        }
        let undocumented = try Self.packageTargets(pathPrefix: "Sources/Services/").keys.filter { documented[$0] == nil }
        #expect(undocumented.isEmpty, "targets without a row in docs/architecture.md: \(undocumented.sorted())")
    }

    @Test func theStagesReachNeitherKafkaNorMongoDB() throws {
        let package = try Self.packageTargets()
        for module in ["Stages", "Cache", "LLM", "Storage", "Transport", "VeredictoCore", "Scoring"] {
            let dependencies = try #require(package[module])
            #expect(dependencies.isDisjoint(with: ["Kafka", "Mongo", "CRdKafka", "CMongoC", "CMongoShim"]),
                    "\(module) depends on \(dependencies.sorted())")
        }
    }

    /// Swift files under `folder` that call a C function matching `pattern` outside `allowed`.
    static func calls(of pattern: Regex<(Substring, Substring)>, under folder: String, allowedIn allowed: String) throws
        -> [String] {
        let base = root.appendingPathComponent(folder)
        let files = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        var found: [String] = []
        for file in files where !file.path.contains("/\(allowed)/") {
            let source = try String(contentsOf: file, encoding: .utf8)
            for line in source.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                for match in line.matches(of: pattern) {
                    found.append("\(file.lastPathComponent): \(match.1)")
                }
            }
        }
        return found
    }

    @Test func librdkafkaIsCalledOnlyInTheRDKafkaLayer() throws {
        let outside = try Self.calls(of: /\b(rd_kafka_[a-zA-Z0-9_]+)\s*\(/, under: "Sources", allowedIn: "Kafka/RDKafka")
        #expect(outside.isEmpty, "librdkafka calls outside Kafka/RDKafka: \(outside)")
    }

    @Test func libmongocIsCalledOnlyInTheMongocLayer() throws {
        let outside = try Self.calls(of: /\b((?:mongoc|bson)_[a-zA-Z0-9_]+)\s*\(/, under: "Sources", allowedIn: "Mongo/Mongoc")
            .filter { !$0.contains("cmongoshim_") }
        #expect(outside.isEmpty, "libmongoc/libbson calls outside Mongo/Mongoc: \(outside)")
    }
}

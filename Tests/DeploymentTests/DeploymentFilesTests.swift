import Foundation
import Testing

/// The deployment files, checked by scripts/check_deploy.py (the compose files parse as YAML
/// and against the compose-spec schema, which Swift has no library for): statically, and by
/// running every compose service's command against the test broker and MongoDB.
@Suite(.serialized) struct DeploymentFilesTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var executable: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("veredicto")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
        return packageRoot.appendingPathComponent(".build/debug/veredicto").path
    }

    /// Runs the checker with the system python3 (python3-yaml and python3-jsonschema from
    /// scripts/setup.sh); returns its exit status and output.
    static func check(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [packageRoot.appendingPathComponent("scripts/check_deploy.py").path] + arguments
        process.currentDirectoryURL = packageRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func composeFilesAndDockerfileAreValid() throws {
        let result = try Self.check(["static"])
        #expect(result.status == 0, "\(result.output)")
    }

    /// The image's runtime stage installs what this script names for the binary: it must name
    /// the packages of the C libraries the services talk through.
    @Test func runtimePackagesOfTheBinaryIncludeTheCLibraries() throws {
        let process = Process()
        process.executableURL = Self.packageRoot.appendingPathComponent("scripts/runtime-packages.sh")
        process.arguments = [Self.executable]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let packages = output.split(separator: "\n").map(String.init)
        for expected in ["librdkafka1", "libmongoc-1.0-0", "libbson-1.0-0", "libzstd1"] {
            // Ubuntu 24.04 names some of them with a t64 suffix.
            #expect(packages.contains { $0 == expected || $0 == expected + "t64" }, "\(expected) missing from \(packages)")
        }
        #expect(packages.allSatisfy { !$0.hasSuffix("-dev") }, "\(packages)")
    }

    @Test(.timeLimit(.minutes(5)))
    func everyComposeServiceStartsAndServesHealth() throws {
        let environment = ProcessInfo.processInfo.environment
        try #require(environment["VEREDICTO_TEST_KAFKA"] != nil && environment["VEREDICTO_TEST_MONGO"] != nil,
                     "VEREDICTO_TEST_KAFKA and VEREDICTO_TEST_MONGO are not set: run through scripts/test-env.sh")
        let result = try Self.check(["run", "--binary", Self.executable])
        #expect(result.status == 0, "\(result.output)")
    }
}

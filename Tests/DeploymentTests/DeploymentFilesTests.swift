import Foundation
import Testing
import TestSupport

/// The deployment files, checked by scripts/check_deploy.py (the compose files parse as YAML
/// and against the compose-spec schema, which Swift has no library for): statically, and by
/// running every compose service's command against the test broker and MongoDB.
@Suite(.serialized) struct DeploymentFilesTests {
    static var packageRoot: URL { VeredictoExecutable.packageRoot }
    static var executable: String { VeredictoExecutable.url.path }

    /// Runs the checker with the system python3 (python3-yaml and python3-jsonschema from
    /// scripts/setup.sh); returns its exit status and output.
    static func check(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let outcome = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/python3"),
                                                 [packageRoot.appendingPathComponent("scripts/check_deploy.py").path] + arguments,
                                                 directory: packageRoot, stderr: .mergedIntoStdout)
        return (outcome.status, outcome.stdout)
    }

    @Test func composeFilesAndDockerfileAreValid() async throws {
        let result = try await Self.check(["static"])
        #expect(result.status == 0, "\(result.output)")
    }

    /// The image's runtime stage installs what this script names for the binary: it must name
    /// the packages of the C libraries the services talk through.
    @Test func runtimePackagesOfTheBinaryIncludeTheCLibraries() async throws {
        let outcome = try await ChildProcess.run(Self.packageRoot.appendingPathComponent("scripts/runtime-packages.sh"),
                                                 [Self.executable])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let packages = outcome.stdout.split(separator: "\n").map(String.init)
        for expected in ["librdkafka1", "libmongoc-1.0-0", "libbson-1.0-0", "libzstd1"] {
            // Ubuntu 24.04 names some of them with a t64 suffix.
            #expect(packages.contains { $0 == expected || $0 == expected + "t64" }, "\(expected) missing from \(packages)")
        }
        #expect(packages.allSatisfy { !$0.hasSuffix("-dev") }, "\(packages)")
    }

    @Test(.timeLimit(.minutes(5)))
    func everyComposeServiceStartsAndServesHealth() async throws {
        let environment = ProcessInfo.processInfo.environment
        try #require(environment["VEREDICTO_TEST_KAFKA"] != nil && environment["VEREDICTO_TEST_MONGO"] != nil,
                     "VEREDICTO_TEST_KAFKA and VEREDICTO_TEST_MONGO are not set: run through scripts/test-env.sh")
        let result = try await Self.check(["run", "--binary", Self.executable])
        #expect(result.status == 0, "\(result.output)")
    }
}

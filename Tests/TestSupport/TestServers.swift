import Foundation

/// The servers the integration tests run against: a Kafka-protocol broker and a
/// MongoDB-protocol server that scripts/test-env.sh starts and names in `VEREDICTO_TEST_KAFKA`
/// and `VEREDICTO_TEST_MONGO`. Every test target finds them here, and only here.
public enum TestServers {
    public struct NotConfigured: Error, CustomStringConvertible {
        public let variable: String
        public var description: String {
            "\(variable) is not set: run the integration tests through scripts/test-env.sh (scripts/test.sh does), "
                + "which starts a Kafka-protocol broker and a MongoDB-protocol server and sets it "
                + "(e.g. scripts/test-env.sh swift test)"
        }
    }

    /// The broker's address; throws `NotConfigured`, which fails the test, when none is given.
    public static func kafka() throws -> String { try value(of: "VEREDICTO_TEST_KAFKA") }

    /// The MongoDB server's URI as scripts/test-env.sh gave it.
    public static func mongo() throws -> String { try value(of: "VEREDICTO_TEST_MONGO") }

    public static func addresses() throws -> (kafka: String, mongo: String) {
        (try kafka(), try mongo())
    }

    private static func value(of variable: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
            throw NotConfigured(variable: variable)
        }
        return value
    }
}

/// The `veredicto` executable the tests run as a user would: the one built beside the test
/// runner, else the package's debug build.
public enum VeredictoExecutable {
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    public static var url: URL {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        var directory = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("veredicto")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/veredicto")
    }
}

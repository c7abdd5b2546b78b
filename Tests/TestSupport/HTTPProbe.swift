import Observability
import VeredictoCore

/// HTTP GETs for tests (and what must follow one at once), made on threads of their own.
/// `MetricsHTTPServer.get` blocks until the answer or its timeout; called from a test's async
/// code it would hold one of the cooperative pool's threads (two on a 2-core machine)
/// meanwhile, and a test polling a slow service's metrics would hold up every other test's
/// tasks.
public enum HTTPProbe {
    private static let threads = BlockingExecutor(name: "test-http", threadCount: 4)

    /// Runs `body`, which may block, on one of the probe's threads.
    public static func run<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result? {
        try? await threads.run(body)
    }

    /// The status and body of `GET path` on 127.0.0.1:`port`, nil when it did not answer.
    public static func get(port: Int, path: String, timeoutSeconds: Int = 3) async -> (status: Int, body: String)? {
        await run { MetricsHTTPServer.get(port: port, path: path, timeoutSeconds: timeoutSeconds) } ?? nil
    }
}

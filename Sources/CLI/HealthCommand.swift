import ArgumentParser
import Foundation
import Observability

/// `veredicto health`: GETs /health of a running service and exits 0 when it answers 200,
/// else 1. The health check of the container images, which carry no HTTP client.
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check a running service's /health endpoint (exit 0 when healthy, 1 otherwise)."
    )

    @Option(name: .long, help: "Port of the service's metrics server (METRICS_PORT, default 9464).")
    var port: Int?

    @Option(name: .long, help: "Host of the service.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Seconds to wait for an answer.")
    var timeout: Int = 3

    func run() throws {
        let port = self.port ?? ProcessInfo.processInfo.environment["METRICS_PORT"].flatMap { Int($0) } ?? 9464
        guard let (status, body) = MetricsHTTPServer.get(host: host, port: port, path: "/health", timeoutSeconds: timeout),
              status == 200 else {
            FileHandle.standardError.write(Data("unhealthy: no 200 from http://\(host):\(port)/health\n".utf8))
            throw ExitCode(1)
        }
        print(body.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

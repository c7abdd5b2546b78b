import ArgumentParser
import Foundation
import Observability

/// `veredicto health`: GETs /health/ready (or /health/live with `--live`) of a running service
/// and exits 0 when it answers 200, else 1, printing the answer (one line per check). The
/// health check of the container images, which carry no HTTP client.
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check a running service's readiness, /health/ready (exit 0 when ready, 1 otherwise)."
    )

    @Option(name: .long, help: "Port of the service's metrics server (METRICS_PORT, default 9464).")
    var port: Int?

    @Option(name: .long, help: "Host of the service.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Seconds to wait for an answer.")
    var timeout: Int = 3

    @Flag(name: .long, help: "Check liveness (/health/live: the process is responsive) instead of readiness.")
    var live = false

    func run() throws {
        let port = self.port ?? ProcessInfo.processInfo.environment["METRICS_PORT"].flatMap { Int($0) } ?? 9464
        let path = live ? "/health/live" : "/health/ready"
        guard let (status, body) = MetricsHTTPServer.get(host: host, port: port, path: path, timeoutSeconds: timeout) else {
            FileHandle.standardError.write(Data("unhealthy: no answer from http://\(host):\(port)\(path)\n".utf8))
            throw ExitCode(1)
        }
        guard status == 200 else {
            FileHandle.standardError.write(Data("unhealthy: \(status) from http://\(host):\(port)\(path)\n\(body)".utf8))
            throw ExitCode(1)
        }
        print(body.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

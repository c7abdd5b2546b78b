#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TestSupport
import Testing

@testable import Observability

/// The metrics server's health endpoints, and that idle or slow clients cannot lock out a probe.
@Suite struct HealthServerTests {
    /// Opens a TCP connection to 127.0.0.1:`port` and leaves it idle; the descriptor.
    static func idleConnection(port: Int) -> Int32? {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    @Test func healthAnswersWithFiveHundredIdleConnectionsOpen() async throws {
        let server = try MetricsHTTPServer(registry: MetricsRegistry(), host: "127.0.0.1", port: 0)
        defer { server.stop() }
        var idle: [Int32] = []
        defer { for fd in idle { close(fd) } }
        for _ in 0..<500 {
            idle.append(try #require(Self.idleConnection(port: server.port)))
        }
        // Half of them also sent part of a request, as a slow client does.
        for fd in idle.prefix(250) {
            let partial = Array("GET /metrics HTTP/1.1\r\nHost: x".utf8)
            _ = partial.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        for path in ["/health", "/health/live", "/health/ready"] {
            let answer = try #require(await HTTPProbe.get(port: server.port, path: path, timeoutSeconds: 3), "\(path) did not answer")
            #expect(answer.status == 200, "\(path): \(answer)")
        }
    }

    @Test func theOldestConnectionMakesRoomWhenTheLimitIsReached() async throws {
        let server = try MetricsHTTPServer(registry: MetricsRegistry(), host: "127.0.0.1", port: 0, maxConnections: 8)
        defer { server.stop() }
        var idle: [Int32] = []
        defer { for fd in idle { close(fd) } }
        for _ in 0..<20 {
            idle.append(try #require(Self.idleConnection(port: server.port)))
        }
        let answer = try #require(await HTTPProbe.get(port: server.port, path: "/health", timeoutSeconds: 3))
        #expect(answer.status == 200)
    }

    @Test func anIdleConnectionIsClosedAtItsTimeout() throws {
        let server = try MetricsHTTPServer(registry: MetricsRegistry(), host: "127.0.0.1", port: 0,
                                           connectionTimeout: .milliseconds(200))
        defer { server.stop() }
        let fd = try #require(Self.idleConnection(port: server.port))
        defer { close(fd) }
        // The server closes it: a read sees the end of the stream (bounded by a receive timeout
        // far longer than the server's).
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, 0)
        #expect(count == 0)
    }

    @Test func readinessFollowsTheChecksAndLivenessTheHeartbeat() async throws {
        let health = HealthState(heartbeatLimit: .seconds(15))
        let server = try MetricsHTTPServer(registry: MetricsRegistry(), health: health, host: "127.0.0.1", port: 0)
        defer { server.stop() }
        health.set("kafka", ok: true, detail: "broker 127.0.0.1:9 answered")
        health.set("mongodb", ok: false, detail: "no answer from mongodb://x within 3 s")
        let ready = try #require(await HTTPProbe.get(port: server.port, path: "/health/ready"))
        #expect(ready.status == 503)
        #expect(ready.body == "not ready\nok kafka: broker 127.0.0.1:9 answered\nFAIL mongodb: no answer from mongodb://x within 3 s\n")
        #expect(await HTTPProbe.get(port: server.port, path: "/health")?.status == 503)
        #expect(await HTTPProbe.get(port: server.port, path: "/health/live")?.status == 200)
        health.set("mongodb", ok: true, detail: "answered")
        #expect(await HTTPProbe.get(port: server.port, path: "/health/ready")?.status == 200)
        #expect(await HTTPProbe.get(port: server.port, path: "/health")?.status == 200)

        health.beat()
        let later = ContinuousClock.now + .seconds(16)
        #expect(health.live(now: later).ok == false)
        #expect(health.ready(now: later).ok == false)
        #expect(health.live().ok)
    }
}

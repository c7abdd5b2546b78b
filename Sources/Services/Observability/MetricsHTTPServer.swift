#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import VeredictoCore

/// A small HTTP/1.1 server for scrapes and health checks, on POSIX sockets and one dedicated
/// thread that multiplexes every connection with `poll(2)`:
///
/// - `GET /metrics`: the registry in the Prometheus text format 0.0.4;
/// - `GET /health/live`: 200 while the process is responsive (`HealthState.live`);
/// - `GET /health/ready` and `GET /health`: 200 when every dependency check passes, else 503,
///   one line per check in the body (`HealthState.ready`);
/// - anything else 404 (405 for methods other than GET and HEAD).
///
/// Many connections are served at once with bounded resources: at most `maxConnections` are
/// open (when full, the oldest is closed to admit a new one, so idle connections can never lock
/// out a probe), a request head is at most 8 KiB, and each connection has `connectionTimeout`
/// from accept to its last byte sent, after which it is closed. Every response closes its
/// connection.
public final class MetricsHTTPServer: Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The port bound (the one asked for, or the one the system chose for 0).
    public let port: Int
    /// The health answered on /health/live, /health/ready and /health.
    public let health: HealthState
    private let listener: Int32
    private let registry: MetricsRegistry
    private let stopped = LockedValue(false)
    private let maxConnections: Int
    private let connectionTimeout: Duration

    /// Binds `host:port` (port 0: any free port) and starts serving on a thread of its own.
    public init(registry: MetricsRegistry, health: HealthState = HealthState(), host: String = "0.0.0.0", port: Int,
                maxConnections: Int = 1024, connectionTimeout: Duration = .seconds(5)) throws {
        precondition(maxConnections > 0, "the metrics server needs room for one connection")
        self.registry = registry
        self.health = health
        self.maxConnections = maxConnections
        self.connectionTimeout = connectionTimeout
        let socket: (descriptor: Int32, port: Int)
        do {
            socket = try ListeningSocket.open(host: host, port: port, backlog: 1024)
        } catch let failure as ListeningSocket.Failure {
            throw StartError(description: "metrics server: \(failure.description)")
        }
        _ = fcntl(socket.descriptor, F_SETFL, fcntl(socket.descriptor, F_GETFL) | O_NONBLOCK)
        self.port = socket.port
        self.listener = socket.descriptor
        let thread = Thread { [self] in self.serveLoop() }
        thread.name = "veredicto.metrics-http"
        thread.start()
    }

    /// Stops accepting; the thread closes every connection and the listening socket, and exits.
    public func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        // Wakes the thread's poll; the thread closes the descriptor.
        shutdown(listener, Int32(SHUT_RDWR))
    }

    /// One open connection: the request head read so far, then the response being sent.
    private struct Connection {
        let descriptor: Int32
        let deadline: ContinuousClock.Instant
        var request: [UInt8] = []
        var response: [UInt8]?
        var sent = 0
    }

    private func serveLoop() {
        var connections: [Connection] = []
        defer {
            for connection in connections { close(connection.descriptor) }
            close(listener)
        }
        var descriptors: [pollfd] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !stopped.withLock({ $0 }) {
            descriptors.removeAll(keepingCapacity: true)
            descriptors.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0))
            for connection in connections {
                let events = connection.response == nil ? POLLIN : POLLOUT
                descriptors.append(pollfd(fd: connection.descriptor, events: Int16(events), revents: 0))
            }
            // Wake at the earliest deadline, and at least every 250 ms to notice `stop()`.
            let now = ContinuousClock.now
            var wait = Duration.milliseconds(250)
            if let earliest = connections.map(\.deadline).min() { wait = max(.zero, min(wait, earliest - now)) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), Int32(wait.wholeMilliseconds))
            if ready < 0 && errno != EINTR { return }
            let after = ContinuousClock.now
            // Serve the open connections (their pollfds follow the listener's, in order).
            var kept: [Connection] = []
            kept.reserveCapacity(connections.count + 1)
            for (index, var connection) in connections.enumerated() {
                let events = ready > 0 ? descriptors[index + 1].revents : 0
                var open = after < connection.deadline
                if open && events != 0 {
                    open = advance(&connection, events: events, buffer: &buffer)
                }
                if open { kept.append(connection) } else { close(connection.descriptor) }
            }
            connections = kept
            if ready > 0 && descriptors[0].revents != 0 {
                acceptAll(into: &connections, now: after)
            }
        }
    }

    /// Accepts every pending connection; when the limit is reached the oldest is closed first.
    private func acceptAll(into connections: inout [Connection], now: ContinuousClock.Instant) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return  // EAGAIN: none left (or the listener was shut down)
            }
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            if connections.count >= maxConnections {
                close(connections.removeFirst().descriptor)
            }
            connections.append(Connection(descriptor: client, deadline: now + connectionTimeout))
        }
    }

    /// Reads the request or sends the response as the socket allows; false when the connection
    /// is done (answered, closed by the peer, or in error).
    private func advance(_ connection: inout Connection, events: Int16, buffer: inout [UInt8]) -> Bool {
        if connection.response == nil {
            if events & Int16(POLLIN | POLLHUP | POLLERR) == 0 { return true }
            let count = buffer.withUnsafeMutableBytes { recv(connection.descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR }
            if count == 0 {
                // The peer closed its side: answer what came, if anything.
                guard !connection.request.isEmpty else { return false }
                connection.response = respond(to: connection.request)
            } else {
                connection.request += buffer[0..<count]
                if Self.headComplete(connection.request) || connection.request.count >= 8192 {
                    connection.response = respond(to: connection.request)
                } else {
                    return true
                }
            }
        }
        guard let response = connection.response else { return false }
        while connection.sent < response.count {
            let count = response.withUnsafeBytes {
                send(connection.descriptor, $0.baseAddress! + connection.sent, $0.count - connection.sent, Int32(MSG_NOSIGNAL))
            }
            if count < 0 { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR }
            if count == 0 { return false }
            connection.sent += count
        }
        return false
    }

    /// The whole response to a request head.
    private func respond(to request: [UInt8]) -> [UInt8] {
        let text = "text/plain; charset=utf-8"
        guard let lineEnd = request.firstIndex(of: UInt8(ascii: "\r")) ?? request.firstIndex(of: UInt8(ascii: "\n")) else {
            return Self.response(400, "Bad Request", text, "bad request\n")
        }
        let parts = String(decoding: request[..<lineEnd], as: UTF8.self).split(separator: " ")
        guard parts.count >= 2 else {
            return Self.response(400, "Bad Request", text, "bad request\n")
        }
        let method = parts[0]
        var path = Substring(parts[1])
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        let head = method == "HEAD"
        guard method == "GET" || head else {
            return Self.response(405, "Method Not Allowed", text, "method not allowed\n")
        }
        switch path {
        case "/metrics":
            return Self.response(200, "OK", "text/plain; version=0.0.4; charset=utf-8", registry.render(), headOnly: head)
        case "/health/live":
            let live = health.live()
            return live.ok ? Self.response(200, "OK", text, live.text, headOnly: head)
                : Self.response(503, "Service Unavailable", text, live.text, headOnly: head)
        case "/health", "/health/ready":
            let ready = health.ready()
            return ready.ok ? Self.response(200, "OK", text, ready.text, headOnly: head)
                : Self.response(503, "Service Unavailable", text, ready.text, headOnly: head)
        default:
            return Self.response(404, "Not Found", text, "not found\n", headOnly: head)
        }
    }

    private static func headComplete(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10
            && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return true
        }
        return bytes.count >= 2 && bytes[bytes.count - 2] == 10 && bytes[bytes.count - 1] == 10
    }

    private static func response(_ status: Int, _ reason: String, _ contentType: String, _ body: String,
                                 headOnly: Bool = false) -> [UInt8] {
        let payload = Array(body.utf8)
        var message = Array(("HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\n"
            + "Content-Length: \(payload.count)\r\nConnection: close\r\n\r\n").utf8)
        if !headOnly { message += payload }
        return message
    }

    /// GETs `path` from `host:port` and returns the status and body (nil when unreachable):
    /// the health check of the container images, which carry no curl.
    public static func get(host: String = "127.0.0.1", port: Int, path: String, timeoutSeconds: Int = 3) -> (status: Int, body: String)? {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n".utf8)
        let written = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard written == request.count else { return nil }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { return nil }
        let statusLine = text[..<headEnd.lowerBound].split(separator: "\r\n").first ?? ""
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, let status = Int(fields[1]) else { return nil }
        return (status, String(text[headEnd.upperBound...]))
    }
}

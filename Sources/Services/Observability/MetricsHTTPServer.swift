#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import VeredictoCore

/// A minimal HTTP/1.1 server for scrapes and health checks, on POSIX sockets and one dedicated
/// thread: `GET /metrics` answers the registry in the Prometheus text format 0.0.4,
/// `GET /health` answers 200 "ok", anything else 404 (405 for other methods). Every response
/// closes its connection; a scrape is small and infrequent, so one thread serving one
/// connection at a time is enough, and a slow client is cut off by a receive timeout.
public final class MetricsHTTPServer: Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The port bound (the one asked for, or the one the system chose for 0).
    public let port: Int
    private let listener: Int32
    private let registry: MetricsRegistry
    private let stopped = LockedValue(false)

    /// Binds `host:port` (port 0: any free port) and starts serving on a thread of its own.
    public init(registry: MetricsRegistry, host: String = "0.0.0.0", port: Int) throws {
        self.registry = registry
        let socket: (descriptor: Int32, port: Int)
        do {
            socket = try ListeningSocket.open(host: host, port: port)
        } catch let failure as ListeningSocket.Failure {
            throw StartError(description: "metrics server: \(failure.description)")
        }
        self.port = socket.port
        self.listener = socket.descriptor
        let thread = Thread { [self] in self.acceptLoop() }
        thread.name = "veredicto.metrics-http"
        thread.start()
    }

    /// Stops accepting; the thread exits.
    public func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !stopped.withLock({ $0 }) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            serve(client)
            close(client)
        }
    }

    private func serve(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Read the request head (up to 8 KiB); only the request line matters.
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while request.count < 8192 {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            request += buffer[0..<count]
            if Self.headComplete(request) { break }
        }
        guard let lineEnd = request.firstIndex(of: UInt8(ascii: "\r")) ?? request.firstIndex(of: UInt8(ascii: "\n")) else {
            if !request.isEmpty { respond(client, 400, "Bad Request", "text/plain; charset=utf-8", "bad request\n") }
            return
        }
        let parts = String(decoding: request[..<lineEnd], as: UTF8.self).split(separator: " ")
        guard parts.count >= 2 else {
            respond(client, 400, "Bad Request", "text/plain; charset=utf-8", "bad request\n")
            return
        }
        let method = parts[0]
        var path = Substring(parts[1])
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        let head = method == "HEAD"
        guard method == "GET" || head else {
            respond(client, 405, "Method Not Allowed", "text/plain; charset=utf-8", "method not allowed\n")
            return
        }
        switch path {
        case "/metrics":
            respond(client, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", registry.render(), headOnly: head)
        case "/health":
            respond(client, 200, "OK", "text/plain; charset=utf-8", "ok\n", headOnly: head)
        default:
            respond(client, 404, "Not Found", "text/plain; charset=utf-8", "not found\n", headOnly: head)
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

    private func respond(_ client: Int32, _ status: Int, _ reason: String, _ contentType: String, _ body: String,
                         headOnly: Bool = false) {
        let payload = Array(body.utf8)
        var message = Array(("HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\n"
            + "Content-Length: \(payload.count)\r\nConnection: close\r\n\r\n").utf8)
        if !headOnly { message += payload }
        var sent = 0
        while sent < message.count {
            let count = message.withUnsafeBytes { send(client, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return }
            sent += count
        }
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

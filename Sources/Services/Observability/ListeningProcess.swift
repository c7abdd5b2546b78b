import Foundation

/// Which process of this machine listens on a TCP port, read from /proc (Linux): the port's
/// listening sockets in /proc/net/tcp and tcp6, matched against each process's descriptors.
/// The bench finds the broker whose CPU time it reports with it; tests check that a server
/// they started holds the port they gave it.
public enum ListeningProcess {
    /// The process (other than this one) holding a socket that listens on `port`, IPv4 or
    /// IPv6; nil when none does or /proc cannot be read.
    public static func of(port: UInt16) -> Int32? {
        let inodes = listeningSockets(port: port)
        guard !inodes.isEmpty else { return nil }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = Int32(entry), pid != getpid() else { continue }
            if holds(pid: pid, anyOf: inodes) { return pid }
        }
        return nil
    }

    /// Whether process `pid` holds a socket that listens on `port`.
    public static func holds(pid: Int32, port: UInt16) -> Bool {
        let inodes = listeningSockets(port: port)
        return !inodes.isEmpty && holds(pid: pid, anyOf: inodes)
    }

    /// The descriptor targets ("socket:[inode]") of the sockets listening on `port`.
    private static func listeningSockets(port: UInt16) -> Set<String> {
        let wantedPort = String(format: "%04X", port)
        var inodes = Set<String>()
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                let columns = line.split(separator: " ")
                guard columns.count > 9, columns[3] == "0A" /* LISTEN */,
                      columns[1].split(separator: ":").last.map(String.init) == wantedPort else { continue }
                inodes.insert("socket:[\(columns[9])]")
            }
        }
        return inodes
    }

    private static func holds(pid: Int32, anyOf inodes: Set<String>) -> Bool {
        let files = FileManager.default
        guard let descriptors = try? files.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return false }
        return descriptors.contains { descriptor in
            (try? files.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(descriptor)")).map(inodes.contains) ?? false
        }
    }
}

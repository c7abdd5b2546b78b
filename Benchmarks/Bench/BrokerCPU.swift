import Foundation
import Observability
import VeredictoCore

/// The CPU time a Kafka broker spends while the bench runs over it, so that a reader sees
/// whether the broker bounds the throughput: on the 2-core development machine the broker, the
/// bench and anything else share the same cores.
///
/// The broker is the process given by `--broker-pid`, or else the process of this machine that
/// listens on the bootstrap server's port: its socket's inode is looked up in /proc/net/tcp and
/// /proc/net/tcp6, then among the descriptors in /proc/[pid]/fd (readable for processes of the
/// same user, or any as root). A broker on another machine cannot be found this way: its figures
/// are then left out. CPU time is utime + stime of /proc/[pid]/stat (all of its threads), in
/// clock ticks (usually 10 ms).
struct BrokerCPU: Sendable {
    let pid: Int32

    /// What the broker and the bench process spent between `begin` and `end` of one measurement.
    struct Figures: Codable, Sendable {
        var pid: Int32
        var wallSeconds: Double
        var brokerCPUSeconds: Double
        var benchCPUSeconds: Double
        /// Askings (or messages) the CPU time is divided by.
        var units: Int
        var brokerMicrosecondsPerUnit: Double
        var benchMicrosecondsPerUnit: Double
        /// Broker CPU seconds per wall second: 1.0 is one core kept busy.
        var brokerCores: Double
        var benchCores: Double
    }

    /// A measurement in progress: the readings at its start.
    struct Start: Sendable {
        var broker: Double
        var bench: Double
        var instant: ContinuousClock.Instant
    }

    /// The broker named by `pid`, else the one listening on `bootstrap`'s port; nil when
    /// neither is readable (and a line on standard error says why).
    static func locate(pid: Int32?, bootstrap: String) -> BrokerCPU? {
        if let pid {
            guard cpuSeconds(of: "\(pid)") != nil else {
                warn("cannot read /proc/\(pid)/stat (--broker-pid \(pid)); broker CPU not reported")
                return nil
            }
            return BrokerCPU(pid: pid)
        }
        guard let portText = bootstrap.split(separator: ",").first?.split(separator: ":").last,
              let port = UInt16(portText) else {
            warn("no port in \(bootstrap); broker CPU not reported (give --broker-pid)")
            return nil
        }
        guard let pid = ListeningProcess.of(port: port) else {
            warn("no process of this machine listens on port \(port); broker CPU not reported (give --broker-pid)")
            return nil
        }
        return BrokerCPU(pid: pid)
    }

    func begin() -> Start? {
        guard let broker = Self.cpuSeconds(of: "\(pid)"), let bench = Self.cpuSeconds(of: "self") else { return nil }
        return Start(broker: broker, bench: bench, instant: .now)
    }

    /// The CPU time since `start`, divided by `units`; nil if the broker is gone.
    func end(_ start: Start?, units: Int) -> Figures? {
        guard let start, let broker = Self.cpuSeconds(of: "\(pid)"), let bench = Self.cpuSeconds(of: "self") else { return nil }
        let wall = (ContinuousClock.now - start.instant).inSeconds
        let brokerSeconds = broker - start.broker
        let benchSeconds = bench - start.bench
        let perUnit = 1_000_000 / Double(max(units, 1))
        return Figures(pid: pid, wallSeconds: wall, brokerCPUSeconds: brokerSeconds, benchCPUSeconds: benchSeconds,
                       units: units, brokerMicrosecondsPerUnit: brokerSeconds * perUnit,
                       benchMicrosecondsPerUnit: benchSeconds * perUnit,
                       brokerCores: brokerSeconds / max(wall, 1e-9), benchCores: benchSeconds / max(wall, 1e-9))
    }

    /// utime + stime of /proc/`process`/stat in seconds (`process` is a pid or "self").
    static func cpuSeconds(of process: String) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(process)/stat", encoding: .utf8),
              let nameEnd = stat.lastIndex(of: ")") else { return nil }
        // After the command name in parentheses (which may hold spaces): field 3 (state) onward;
        // utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: nameEnd)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) / (ticks > 0 ? ticks : 100)
    }

    private static func warn(_ message: String) {
        FileHandle.standardError.write(Data("bench: \(message)\n".utf8))
    }
}

import Foundation

/// The CPU time of this process's threads, by thread, read from /proc/self/task: what the
/// process CPU of a run went to outside the stages' executors (librdkafka names its threads
/// `rdk:main`, `rdk:broker<N>` and so on).
///
/// A thread's CPU time is the first field of /proc/self/task/<tid>/schedstat (nanoseconds
/// on a CPU), or, where the kernel keeps no schedstat, utime + stime of its stat (clock ticks,
/// usually 10 ms). Reading every thread costs a few system calls per thread: it is meant for
/// the start and the end of a measurement, not for a hot path.
public struct ThreadCPU: Sendable, Equatable {
    public var tid: Int32
    /// The thread's name (`comm`, at most 15 bytes as Linux keeps it).
    public var name: String
    public var seconds: Double

    public init(tid: Int32, name: String, seconds: Double) {
        self.tid = tid
        self.name = name
        self.seconds = seconds
    }

    /// Every thread of this process now; empty where /proc/self/task cannot be read.
    public static func all() -> [ThreadCPU] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return [] }
        return entries.compactMap { entry in
            guard let tid = Int32(entry) else { return nil }
            return read(tid: tid)
        }
    }

    /// One thread of this process, nil if it has ended (or cannot be read).
    public static func read(tid: Int32) -> ThreadCPU? {
        let directory = "/proc/self/task/\(tid)"
        guard let comm = try? String(contentsOfFile: directory + "/comm", encoding: .utf8) else { return nil }
        let name = comm.hasSuffix("\n") ? String(comm.dropLast()) : comm
        if let schedstat = try? String(contentsOfFile: directory + "/schedstat", encoding: .utf8),
           let nanoseconds = schedstat.split(separator: " ").first.flatMap({ UInt64($0) }) {
            return ThreadCPU(tid: tid, name: name, seconds: Double(nanoseconds) / 1e9)
        }
        guard let stat = try? String(contentsOfFile: directory + "/stat", encoding: .utf8),
              let ticks = statTicks(stat) else { return nil }
        return ThreadCPU(tid: tid, name: name, seconds: ticks / Double(max(1, sysconf(Int32(_SC_CLK_TCK)))))
    }

    /// utime + stime (fields 14 and 15) of a /proc stat line, in clock ticks. The name (field
    /// 2) is in parentheses and may hold spaces and parentheses itself: fields are counted
    /// after its last closing parenthesis.
    static func statTicks(_ stat: String) -> Double? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return user + system
    }

    /// What each thread spent between two readings (a thread started in between counts from
    /// zero; one that ended in between is not in `after` and is left out).
    public static func spent(from before: [ThreadCPU], to after: [ThreadCPU]) -> [ThreadCPU] {
        let start = Dictionary(before.map { ($0.tid, $0.seconds) }, uniquingKeysWith: { first, _ in first })
        return after.map { thread in
            ThreadCPU(tid: thread.tid, name: thread.name, seconds: max(0, thread.seconds - (start[thread.tid] ?? 0)))
        }
    }

    /// How librdkafka names its threads: `rdk:main`, `rdk:broker<N>` and so on.
    public static let librdkafkaPrefix = "rdk:"

    /// Whether librdkafka started the thread.
    public var isLibrdkafka: Bool { name.hasPrefix(Self.librdkafkaPrefix) }
}

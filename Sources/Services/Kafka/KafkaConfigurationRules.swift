import Foundation
import VeredictoCore

/// Checks shared by the configuration types. Each failure is one line naming the setting, the
/// allowed values and what was given, so the message says what to fix.
enum KafkaConfigurationRules {
    static func invalid(_ message: String) -> KafkaError {
        KafkaError(.invalidConfiguration, message)
    }

    /// `host:port[,host:port...]` for `bootstrap.servers`; an optional `scheme://` prefix is allowed.
    static func bootstrapServers(_ servers: [String], field: String) throws -> String {
        guard !servers.isEmpty else {
            throw invalid("\(field) is empty: give at least one broker as host:port, e.g. [\"127.0.0.1:9092\"]")
        }
        for server in servers {
            var address = Substring(server)
            if let scheme = address.range(of: "://") {
                address = address[scheme.upperBound...]
            }
            guard let colon = address.lastIndex(of: ":"),
                  !address[..<colon].isEmpty,
                  !address.contains(where: { $0 == "," || $0 == " " }),
                  let port = Int(address[address.index(after: colon)...]),
                  (1...65_535).contains(port)
            else {
                throw invalid("\(field) entry \"\(server)\" is not host:port with a port in 1...65535")
            }
        }
        return servers.joined(separator: ",")
    }

    /// Whole milliseconds of `duration`, checked against librdkafka's range for `key`.
    static func milliseconds(
        _ duration: Duration, key: String, field: String, range: ClosedRange<Int>
    ) throws -> String {
        let milliseconds = duration.wholeMilliseconds
        guard milliseconds >= range.lowerBound, milliseconds <= range.upperBound else {
            throw invalid(
                "\(field) must be between \(range.lowerBound) ms and \(range.upperBound) ms "
                    + "(librdkafka \(key)), got \(duration)")
        }
        return String(milliseconds)
    }

    static func integer(_ value: Int, key: String, field: String, range: ClosedRange<Int>) throws -> String {
        guard range.contains(value) else {
            throw invalid(
                "\(field) must be between \(range.lowerBound) and \(range.upperBound) "
                    + "(librdkafka \(key)), got \(value)")
        }
        return String(value)
    }

    static func nonEmpty(_ value: String, field: String) throws {
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw invalid("\(field) is empty: give a non-empty name")
        }
    }

    /// The escape hatch may set any librdkafka key except those that a typed property sets (set
    /// them there) and those the layer fixes (`fixed` says why).
    static func extra(
        _ extra: [String: String], typed: [String: String], fixed: [String: String], type: String
    ) throws {
        for key in extra.keys.sorted() {
            if let reason = fixed[key] {
                throw invalid("\(type).extra[\"\(key)\"] cannot be set: \(reason)")
            }
            if let property = typed[key] {
                throw invalid("\(type).extra[\"\(key)\"] duplicates a typed setting: set \(type).\(property) instead")
            }
        }
    }

    /// The properties every client kind ends with: statistics when asked for, then the checked
    /// escape hatch laid over everything else.
    static func finish(
        _ properties: inout [String: String], statisticsInterval: Duration?, extra: [String: String],
        typed: [String: String], fixed: [String: String], type: String
    ) throws {
        if let statisticsInterval {
            properties["statistics.interval.ms"] = try milliseconds(
                statisticsInterval, key: "statistics.interval.ms", field: "\(type).statisticsInterval",
                range: 1...86_400_000)
        }
        try self.extra(extra, typed: typed, fixed: fixed, type: type)
        properties.merge(extra) { _, new in new }
    }
}

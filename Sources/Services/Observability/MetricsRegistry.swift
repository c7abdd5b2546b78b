import Foundation
import VeredictoCore

/// Counters, gauges and fixed-bucket histograms of one process, exposed in the Prometheus text
/// format 0.0.4. Every metric family has a name, a help line and a type; a series is a family
/// plus a set of labels. Thread-safe: the services update it from their tasks while the HTTP
/// server's thread renders it.
public final class MetricsRegistry: Sendable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    /// Upper bounds of the default latency buckets, in seconds.
    public static let latencyBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
    ]

    private struct Histogram: Sendable {
        var counts: [UInt64]
        var sum = 0.0
        var count: UInt64 = 0
    }

    private struct Family: Sendable {
        let kind: Kind
        let help: String
        let buckets: [Double]
        var values: [String: Double] = [:]
        var histograms: [String: Histogram] = [:]
    }

    private struct State: Sendable {
        var families: [String: Family] = [:]
        var order: [String] = []
    }

    private let state = LockedValue(State())

    public init() {}

    /// Declares a family (idempotent); updates of an undeclared name declare it with an empty help.
    public func declare(_ name: String, _ kind: Kind, help: String, buckets: [Double] = MetricsRegistry.latencyBuckets) {
        state.withLock { state in
            guard state.families[name] == nil else { return }
            state.families[name] = Family(kind: kind, help: help, buckets: buckets.sorted())
            state.order.append(name)
        }
    }

    /// Adds `amount` (not negative) to a counter.
    public func increment(_ name: String, labels: [String: String] = [:], by amount: Double = 1) {
        guard amount >= 0 else { return }
        update(name, .counter, labels) { $0 += amount }
    }

    /// Sets a counter to a total kept elsewhere; a counter never goes down, so a smaller
    /// value is ignored.
    public func setCounter(_ name: String, labels: [String: String] = [:], to total: Double) {
        update(name, .counter, labels) { $0 = max($0, total) }
    }

    /// Sets a gauge.
    public func set(_ name: String, labels: [String: String] = [:], to value: Double) {
        update(name, .gauge, labels) { $0 = value }
    }

    /// Records one observation in a histogram.
    public func observe(_ name: String, labels: [String: String] = [:], _ value: Double) {
        observe(name, labels: labels, [value])
    }

    /// Records observations in a histogram under one lock.
    public func observe(_ name: String, labels: [String: String] = [:], _ values: [Double]) {
        let key = Self.labelText(labels)
        state.withLock { state in
            if state.families[name] == nil {
                state.families[name] = Family(kind: .histogram, help: "", buckets: Self.latencyBuckets)
                state.order.append(name)
            }
            guard state.families[name]!.kind == .histogram else { return }
            let buckets = state.families[name]!.buckets
            var histogram = state.families[name]!.histograms[key] ?? Histogram(counts: [UInt64](repeating: 0, count: buckets.count))
            for value in values where value.isFinite {
                if let index = buckets.firstIndex(where: { value <= $0 }) { histogram.counts[index] += 1 }
                histogram.sum += value
                histogram.count += 1
            }
            state.families[name]!.histograms[key] = histogram
        }
    }

    /// The current value of a counter or gauge series (nil when never set).
    public func value(_ name: String, labels: [String: String] = [:]) -> Double? {
        state.withLock { $0.families[name]?.values[Self.labelText(labels)] }
    }

    private func update(_ name: String, _ kind: Kind, _ labels: [String: String], _ body: (inout Double) -> Void) {
        let key = Self.labelText(labels)
        state.withLock { state in
            if state.families[name] == nil {
                state.families[name] = Family(kind: kind, help: "", buckets: [])
                state.order.append(name)
            }
            guard state.families[name]!.kind == kind else { return }
            var value = state.families[name]!.values[key] ?? 0
            body(&value)
            state.families[name]!.values[key] = value
        }
    }

    /// The exposition text (Prometheus text format 0.0.4).
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        for name in snapshot.order {
            guard let family = snapshot.families[name] else { continue }
            out += "# HELP \(name) \(Self.escapeHelp(family.help.isEmpty ? name : family.help))\n"
            out += "# TYPE \(name) \(family.kind.rawValue)\n"
            switch family.kind {
            case .counter, .gauge:
                for key in family.values.keys.sorted() {
                    out += "\(name)\(key.isEmpty ? "" : "{\(key)}") \(Self.format(family.values[key]!))\n"
                }
            case .histogram:
                for key in family.histograms.keys.sorted() {
                    let histogram = family.histograms[key]!
                    let prefix = key.isEmpty ? "" : key + ","
                    var cumulative: UInt64 = 0
                    for (index, bound) in family.buckets.enumerated() {
                        cumulative += histogram.counts[index]
                        out += "\(name)_bucket{\(prefix)le=\"\(Self.format(bound))\"} \(cumulative)\n"
                    }
                    out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(histogram.count)\n"
                    out += "\(name)_sum\(key.isEmpty ? "" : "{\(key)}") \(Self.format(histogram.sum))\n"
                    out += "\(name)_count\(key.isEmpty ? "" : "{\(key)}") \(histogram.count)\n"
                }
            }
        }
        return out
    }

    /// `a="x",b="y"`: the labels as the exposition format writes them, sorted by name, values
    /// escaped; the key of a series. It is made on every update (each batch of each service
    /// updates a few series), so the common cases (no label, one label, values with nothing to
    /// escape) take no sort and no search.
    static func labelText(_ labels: [String: String]) -> String {
        switch labels.count {
        case 0:
            return ""
        case 1:
            let (key, value) = labels.first!
            return key + "=\"" + escapeLabel(value) + "\""
        default:
            return labels.keys.sorted().map { "\($0)=\"\(escapeLabel(labels[$0]!))\"" }.joined(separator: ",")
        }
    }

    /// A label value with its backslashes, double quotes and line feeds escaped.
    static func escapeLabel(_ value: String) -> String {
        escape(value, quotes: true)
    }

    static func escapeHelp(_ value: String) -> String {
        escape(value, quotes: false)
    }

    /// `value` with `\`, line feeds and (with `quotes`) `"` escaped; the same String when it has none.
    private static func escape(_ value: String, quotes: Bool) -> String {
        let needsEscape = value.utf8.contains { byte in
            byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\n") || (quotes && byte == UInt8(ascii: "\""))
        }
        guard needsEscape else { return value }
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count + 8)
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\"" where quotes: escaped += "\\\""
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

import Foundation
import Logging
import VeredictoCore

/// Writes one JSON object per log line to standard error: time, level, logger label,
/// message and metadata (trace_id, message_id, ...), so logs can be searched by trace.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private static let lock = NSLock()

    public init(label: String) {
        self.label = label
    }

    /// Makes every logger of the process write JSON lines at `level`.
    public static func bootstrap(level: Logger.Level = .info) {
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.field("ts", Timestamp.now().iso8601)
        writer.field("level", event.level.rawValue)
        writer.field("logger", label)
        writer.field("message", event.message.description)
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for key in merged.keys.sorted() {
            writer.key(dynamic: key)
            writer.string(merged[key]!.description)
        }
        writer.endObject()
        writer.newline()
        let bytes = writer.bytes
        Self.lock.lock()
        defer { Self.lock.unlock() }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let wrote = write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if wrote <= 0 { break }
                offset += wrote
            }
        }
    }
}

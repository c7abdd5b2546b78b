import Foundation
import Kafka
import Logging
import Mongo
import Observability

/// The readiness of a service of `veredicto serve`, probed every second into a `HealthState`:
///
/// - `kafka`: a broker answers a metadata request within 2 s, and every consumer of the
///   service has joined its group (an assignment received, possibly empty when there are more
///   members than partitions);
/// - `mongodb` (cache and store): the server answers a ping within 2 s;
/// - `progress`: no consumer has messages waiting (lag above zero) while its position stood
///   still for `stallAfter`.
///
/// A lost or regained dependency is logged once, when it changes, with its address and what
/// the service does meanwhile. Also beats the liveness heartbeat.
public final class ServiceReadiness: Sendable {
    private let health: HealthState
    private let brokers: String
    private let kafka: KafkaConsumerWatch
    private let mongoURI: String?
    private let mongo: MongoClientPool?
    private let stallAfter: Duration
    private let logger: Logger

    public init(health: HealthState, brokers: [String], kafka: KafkaConsumerWatch, mongoURI: String?,
                stallAfter: Duration, logger: Logger) {
        self.health = health
        self.brokers = brokers.joined(separator: ",")
        self.kafka = kafka
        self.mongoURI = mongoURI.map(Self.redacted)
        // A pool of its own with a short server selection: the services' pool waits 30 s for a
        // server, and its threads may all be held by operations waiting for one.
        self.mongo = mongoURI.flatMap { try? MongoClientPool(uri: Self.withServerSelectionTimeout($0, milliseconds: 2000),
                                                             appName: "veredicto-health", threadCount: 1) }
        self.stallAfter = stallAfter
        self.logger = logger
    }

    /// Probes every `interval` until the task is cancelled.
    public func run(interval: Duration = .seconds(1)) async {
        let kafkaProbe = DependencyProbe(timeout: .seconds(3)) { [kafka, brokers] in
            do {
                try await kafka.probeBroker(timeout: .seconds(2))
                return HealthState.Check(ok: true, detail: "a broker of \(brokers) answered")
            } catch {
                return HealthState.Check(ok: false, detail: "\(error)")
            }
        }
        let mongoProbe = mongo.map { pool in
            DependencyProbe(timeout: .seconds(3)) {
                do {
                    try await pool.ping()
                    return HealthState.Check(ok: true, detail: "answered a ping")
                } catch {
                    return HealthState.Check(ok: false, detail: "\(error)")
                }
            }
        }
        var stalls: [String: StallDetector] = [:]
        var kafkaReachable: Bool?
        var mongoReachable: Bool?
        while !Task.isCancelled {
            health.beat()
            let broker = await kafkaProbe.check()
            if broker.ok != kafkaReachable {
                if broker.ok {
                    if kafkaReachable != nil { logger.notice("Kafka broker at \(brokers) reachable again; ready when every consumer has its assignment") }
                } else {
                    logger.error("cannot reach the Kafka broker at \(brokers) (\(broker.detail)); not ready, uncommitted batches are kept and librdkafka reconnects on its own, checking again every second")
                }
                kafkaReachable = broker.ok
            }
            let consumers = kafka.watched
            let waiting = consumers.filter { !$0.progress.joined }.map(\.group)
            if !broker.ok {
                health.set("kafka", ok: false, detail: "cannot reach the broker at \(brokers): \(broker.detail)")
            } else if !waiting.isEmpty {
                health.set("kafka", ok: false, detail: "broker answered; waiting to join group \(waiting.joined(separator: ", "))")
            } else {
                let owned = consumers.map { "\($0.group) \($0.progress.partitions) partitions" }.joined(separator: ", ")
                health.set("kafka", ok: true, detail: "broker \(brokers) answered; \(owned)")
            }
            if let mongoProbe, let mongoURI {
                let database = await mongoProbe.check()
                if database.ok != mongoReachable {
                    if database.ok {
                        if mongoReachable != nil { logger.notice("MongoDB at \(mongoURI) reachable again") }
                    } else {
                        logger.error("cannot reach MongoDB at \(mongoURI) (\(database.detail)); not ready, batches that need it are retried and not committed, checking again every second")
                    }
                    mongoReachable = database.ok
                }
                health.set("mongodb", ok: database.ok, detail: database.ok ? "\(mongoURI) \(database.detail)"
                           : "cannot reach \(mongoURI): \(database.detail)")
            }
            var stalled: [String] = []
            var lag: Int64 = 0
            let now = ContinuousClock.now
            for consumer in consumers {
                var detector = stalls[consumer.group] ?? StallDetector(limit: stallAfter)
                if detector.update(lag: consumer.progress.lag, position: consumer.progress.position, now: now) {
                    stalled.append("\(consumer.group): \(consumer.progress.lag) messages waiting, no progress for \(Int(detector.still(now: now).inSeconds)) s")
                }
                stalls[consumer.group] = detector
                lag &+= consumer.progress.lag
            }
            if stalled.isEmpty {
                health.set("progress", ok: true, detail: "lag \(lag)")
            } else {
                health.set("progress", ok: false, detail: "stalled: " + stalled.joined(separator: "; "))
            }
            try? await Task.sleep(for: interval)
        }
        mongo?.close()
    }

    /// `uri` with its user and password replaced, for logs and health bodies.
    static func redacted(_ uri: String) -> String {
        guard let scheme = uri.range(of: "://"), let at = uri[scheme.upperBound...].firstIndex(of: "@") else { return uri }
        let authorityEnd = uri[scheme.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? uri.endIndex
        guard at < authorityEnd else { return uri }
        return String(uri[..<scheme.upperBound]) + "***@" + String(uri[uri.index(after: at)...])
    }

    /// `uri` with `serverSelectionTimeoutMS` set (replacing any given).
    static func withServerSelectionTimeout(_ uri: String, milliseconds: Int) -> String {
        let option = "serverSelectionTimeoutMS=\(milliseconds)"
        if let query = uri.firstIndex(of: "?") {
            let options = uri[uri.index(after: query)...].split(separator: "&")
                .filter { !$0.lowercased().hasPrefix("serverselectiontimeoutms=") }
            return String(uri[...query]) + (options.map(String.init) + [option]).joined(separator: "&")
        }
        guard let scheme = uri.range(of: "://") else { return uri }
        let hasPath = uri[scheme.upperBound...].contains("/")
        return uri + (hasPath ? "?" : "/?") + option
    }
}

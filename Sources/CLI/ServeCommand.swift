import ArgumentParser
import Dispatch
import Foundation
import Logging
import Kafka
import Observability
import Runtime
import Storage
import Transport

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run one service of the pipeline over Kafka and MongoDB.",
        discussion: """
            SERVICE is generator, cache, llm, score or store. Settings come from the environment
            variables (KAFKA_BOOTSTRAP_SERVERS, MONGO_URI, CACHE_POLICY, SCORE_THRESHOLD, ...) and
            the flags. SIGTERM or SIGINT finishes the batch in hand, commits it and exits 0.
            """
    )

    enum Service: String, ExpressibleByArgument, CaseIterable {
        case generator, cache, llm, score, store
    }

    @Argument(help: "generator, cache, llm, score or store.")
    var service: Service

    @OptionGroup var options: PipelineOptions
    @OptionGroup var generator: GeneratorOptions

    func run() async throws {
        JSONLogHandler.bootstrap()
        let logger = Logger(label: "veredicto.\(service.rawValue)")
        let settings = try options.settings()
        logger.info("starting", metadata: ["service": "\(service.rawValue)", "librdkafka": "\(KafkaLibrary.version)",
                                           "kafka": "\(settings.bootstrapServers.joined(separator: ","))"])
        let stop = StopSignal()
        let registry = MetricsRegistry()
        let metrics = ServiceMetrics(registry: registry, service: service.rawValue)
        let health = HealthState()
        var server: MetricsHTTPServer?
        if settings.metricsPort > 0 {
            do {
                server = try MetricsHTTPServer(registry: registry, health: health, host: settings.metricsHost,
                                               port: settings.metricsPort)
                logger.info("metrics", metadata: ["url": "http://\(settings.metricsHost):\(settings.metricsPort)/metrics",
                                                  "ready": "http://\(settings.metricsHost):\(settings.metricsPort)/health/ready"])
            } catch {
                // Several services on one host share the default port: the pipeline still runs.
                logger.error("no metrics server: \(error); set METRICS_PORT or --metrics-port to a free port (0: none)")
            }
        }
        defer { server?.stop() }
        if service == .generator {
            try await generator.run(settings: settings, logger: logger, stop: stop, metrics: registry)
            return
        }
        let pipelineService = PipelineService(rawValue: service.rawValue)!
        // The llm service runs two stages: one producer serves both.
        let watch = KafkaConsumerWatch()
        let backends = try PipelineBackends.forService(pipelineService, settings: settings,
                                                       onHops: metrics.hopRecorder(), watch: watch)
        let runners = try await pipelineService.runners(
            settings: settings, transport: backends.transport!, store: backends.store, model: try settings.loadModel(),
            onApplied: { metrics.recordApplied($0) }, metrics: registry
        ) { message in logger.warning("\(message)") }
        metrics.declare(runners)
        let tasks = runners.map { runner in Task { try await runner.run() } }
        let sampler = Task {
            while !Task.isCancelled {
                await metrics.sample(runners)
                try? await Task.sleep(for: .seconds(1))
            }
        }
        let readiness = ServiceReadiness(
            health: health, brokers: settings.bootstrapServers, kafka: watch,
            mongoURI: backends.store == nil ? nil : settings.mongoURI, stallAfter: settings.stallTimeout, logger: logger)
        let readinessTask = Task { await readiness.run() }
        defer { readinessTask.cancel() }
        stop.onSignal {
            logger.info("stopping: finishing the batch in hand")
            for task in tasks { task.cancel() }
        }
        for task in tasks { try? await task.value }
        await backends.close()
        sampler.cancel()
        await metrics.sample(runners)
        for runner in runners {
            let counters = await runner.currentCounters()
            logger.info("stopped", metadata: [
                "stage": "\(runner.serviceName)", "polled": "\(counters.polled)", "consumed": "\(counters.consumed)",
                "produced": "\(counters.produced)",
                "dead_letters": "\(counters.deadLetters)", "batches": "\(counters.batches)",
            ])
        }
    }
}

/// SIGTERM and SIGINT, turned into one call of a handler (a second signal exits at once).
final class StopSignal: @unchecked Sendable {
    // @unchecked: `handler` and `sources` are set before signals are delivered, then only
    // read on the signal queue.
    private var sources: [DispatchSourceSignal] = []
    private var handler: (@Sendable () -> Void)?
    private var fired = false
    private let queue = DispatchQueue(label: "veredicto.signals")

    init() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.fire() }
            source.resume()
            sources.append(source)
        }
    }

    func onSignal(_ handler: @escaping @Sendable () -> Void) {
        queue.sync { self.handler = handler }
    }

    private func fire() {
        if fired { exit(130) }
        fired = true
        handler?()
    }
}

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
            `veredicto serve SERVICE`, SERVICE one of generator, cache, llm, score and store; each \
            lists the flags it takes (`veredicto serve cache --help`). Settings come from the \
            environment variables (KAFKA_BOOTSTRAP_SERVERS, MONGO_URI, CACHE_POLICY, SCORE_THRESHOLD, \
            ...) and the flags. SIGTERM or SIGINT finishes the batch in hand, commits it and exits 0.
            """,
        subcommands: [GeneratorService.self, CacheService.self, LLMService.self, ScoreService.self, StoreService.self]
    )

    enum Service: String, CaseIterable {
        case generator, cache, llm, score, store
    }

    struct GeneratorService: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generator",
            abstract: "Publish questions to questions_in at the arrival process of the flags (from --dataset or MongoDB `questions`).")

        @OptionGroup var kafka: PipelineOptions.Kafka
        @OptionGroup var topicPrefix: PipelineOptions.TopicPrefix
        @OptionGroup var mongo: PipelineOptions.Mongo
        @OptionGroup var metrics: PipelineOptions.Metrics
        @OptionGroup var generator: GeneratorOptions

        func run() async throws {
            try await ServeCommand.serve(.generator, generator: generator, settings: try PipelineOptions.settings(
                [kafka, topicPrefix, mongo, metrics]))
        }
    }

    struct CacheService: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cache", abstract: "Answer repeated questions from the cache or the stored decisions; send the rest to the LLM.")

        @OptionGroup var kafka: PipelineOptions.Kafka
        @OptionGroup var topicPrefix: PipelineOptions.TopicPrefix
        @OptionGroup var mongo: PipelineOptions.Mongo
        @OptionGroup var cache: PipelineOptions.Cache
        @OptionGroup var batchSize: PipelineOptions.BatchSize
        @OptionGroup var metrics: PipelineOptions.Metrics

        func run() async throws {
            try await ServeCommand.serve(.cache, settings: try PipelineOptions.settings(
                [kafka, topicPrefix, mongo, cache, batchSize, metrics]))
        }
    }

    struct LLMService: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "llm", abstract: "Ask the LLM (LLM_* variables), retry its errors, and re-issue failed calls from llm_errors.")

        @OptionGroup var kafka: PipelineOptions.Kafka
        @OptionGroup var topicPrefix: PipelineOptions.TopicPrefix
        @OptionGroup var batchSize: PipelineOptions.BatchSize
        @OptionGroup var metrics: PipelineOptions.Metrics

        func run() async throws {
            try await ServeCommand.serve(.llm, settings: try PipelineOptions.settings([kafka, topicPrefix, batchSize, metrics]))
        }
    }

    struct ScoreService: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "score", abstract: "Score each answer against the best answer; accept it or ask for a regeneration.")

        @OptionGroup var kafka: PipelineOptions.Kafka
        @OptionGroup var topicPrefix: PipelineOptions.TopicPrefix
        @OptionGroup var threshold: PipelineOptions.Threshold
        @OptionGroup var maxRetries: PipelineOptions.MaxRetries
        @OptionGroup var idfModel: PipelineOptions.IDFModel
        @OptionGroup var batchSize: PipelineOptions.BatchSize
        @OptionGroup var metrics: PipelineOptions.Metrics

        func run() async throws {
            try await ServeCommand.serve(.score, settings: try PipelineOptions.settings(
                [kafka, topicPrefix, threshold, maxRetries, idfModel, batchSize, metrics]))
        }
    }

    struct StoreService: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store", abstract: "Store each decision in MongoDB, once per question.")

        @OptionGroup var kafka: PipelineOptions.Kafka
        @OptionGroup var topicPrefix: PipelineOptions.TopicPrefix
        @OptionGroup var mongo: PipelineOptions.Mongo
        @OptionGroup var batchSize: PipelineOptions.BatchSize
        @OptionGroup var metrics: PipelineOptions.Metrics

        func run() async throws {
            try await ServeCommand.serve(.store, settings: try PipelineOptions.settings(
                [kafka, topicPrefix, mongo, batchSize, metrics]))
        }
    }

    /// `serve` alone runs nothing: a usage error that names the services, with serve's own
    /// usage line (an error thrown here would be printed under the top-level usage).
    func run() async throws {
        let services = Service.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data(("Error: give the service to run: \(services)\n"
            + "Usage: veredicto serve <service> [<options>]\n"
            + "  See 'veredicto serve --help' for more information.\n").utf8))
        throw ExitCode(64)
    }

    /// Runs `service` until SIGTERM or SIGINT (the generator until it has sent its questions).
    static func serve(_ service: Service, generator: GeneratorOptions? = nil, settings: PipelineSettings) async throws {
        JSONLogHandler.bootstrap()
        let logger = Logger(label: "veredicto.\(service.rawValue)")
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
        if service == .generator, let generator {
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
        let tasks = metrics.start(runners)
        let sampler = Task {
            while !Task.isCancelled {
                await metrics.sample(runners, kafka: watch)
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
        await metrics.sample(runners, kafka: watch)
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

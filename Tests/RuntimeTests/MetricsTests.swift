import Foundation
import TestSupport
import Testing

@testable import Generator
@testable import Observability
@testable import Runtime
@testable import Storage
@testable import Transport

/// The metrics registry and its HTTP server, scraped as Prometheus would.
@Suite struct MetricsTests {
    /// One parsed sample line: name, labels, value.
    struct Sample: Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    /// Parses the text format 0.0.4 strictly enough to catch malformed output: every line is a
    /// `# HELP`/`# TYPE` comment or `name{labels} value`; every sample belongs to a declared
    /// family (histograms: `_bucket`, `_sum`, `_count`); buckets are cumulative and end at +Inf.
    static func parse(_ text: String) throws -> [Sample] {
        struct ParseError: Error, CustomStringConvertible { let description: String }
        var types: [String: String] = [:]
        var samples: [Sample] = []
        let namePattern = try Regex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { continue }
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[3])) else {
                    throw ParseError(description: "bad TYPE line: \(line)")
                }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("# HELP ") || line.hasPrefix("#") { continue }
            var name = ""
            var labels: [String: String] = [:]
            var rest = Substring(line)
            if let brace = line.firstIndex(of: "{") {
                name = String(line[..<brace])
                guard let close = line.lastIndex(of: "}") else { throw ParseError(description: "unclosed labels: \(line)") }
                let body = line[line.index(after: brace)..<close]
                var index = body.startIndex
                while index < body.endIndex {
                    guard let equals = body[index...].firstIndex(of: "=") else { throw ParseError(description: "bad label: \(line)") }
                    let key = String(body[index..<equals])
                    var cursor = body.index(after: equals)
                    guard cursor < body.endIndex, body[cursor] == "\"" else { throw ParseError(description: "unquoted label: \(line)") }
                    cursor = body.index(after: cursor)
                    var value = ""
                    while cursor < body.endIndex, body[cursor] != "\"" {
                        if body[cursor] == "\\" { cursor = body.index(after: cursor) }
                        value.append(body[cursor])
                        cursor = body.index(after: cursor)
                    }
                    guard cursor < body.endIndex else { throw ParseError(description: "unterminated label value: \(line)") }
                    labels[key] = value
                    cursor = body.index(after: cursor)
                    if cursor < body.endIndex, body[cursor] == "," { cursor = body.index(after: cursor) }
                    index = cursor
                }
                rest = line[line.index(after: close)...]
            } else {
                guard let space = line.firstIndex(of: " ") else { throw ParseError(description: "no value: \(line)") }
                name = String(line[..<space])
                rest = line[space...]
            }
            guard name.wholeMatch(of: namePattern) != nil else { throw ParseError(description: "bad name: \(line)") }
            let valueText = rest.trimmingCharacters(in: .whitespaces)
            guard let value = Double(valueText) ?? (valueText == "+Inf" ? .infinity : nil) else {
                throw ParseError(description: "bad value: \(line)")
            }
            var family = name
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && types[name] == nil {
                family = String(name.dropLast(suffix.count))
            }
            guard types[family] != nil else { throw ParseError(description: "sample without TYPE: \(line)") }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
        return samples
    }

    static func value(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?.value
    }

    /// Label values and help texts are escaped as the exposition format asks (a backslash, a
    /// double quote in a label, a line feed), and a series' key is the same however its labels
    /// were ordered.
    @Test func labelsAndHelpAreEscapedAndKeyedInOneOrder() {
        #expect(MetricsRegistry.escapeLabel("cache") == "cache")
        #expect(MetricsRegistry.escapeLabel(#"a\b"c"#) == #"a\\b\"c"#)
        #expect(MetricsRegistry.escapeLabel("line\r\nnext\n") == "line\r\\nnext\\n")
        #expect(MetricsRegistry.escapeLabel("é\"ü") == "é\\\"ü")
        #expect(MetricsRegistry.escapeHelp(#"say "\" and"# + "\n") == #"say "\\" and\n"#)
        #expect(MetricsRegistry.labelText([:]) == "")
        #expect(MetricsRegistry.labelText(["topic": "q\"s"]) == #"topic="q\"s""#)
        #expect(MetricsRegistry.labelText(["z": "1", "a": "2", "m": "3"]) == #"a="2",m="3",z="1""#)
        #expect(MetricsRegistry.labelText(["b": "x", "a": "y"]) == MetricsRegistry.labelText(["a": "y", "b": "x"]))
    }

    @Test func registryRendersCountersGaugesAndCumulativeHistograms() throws {
        let registry = MetricsRegistry()
        registry.declare("t_requests_total", .counter, help: "Requests.")
        registry.increment("t_requests_total", labels: ["topic": "a\"b"], by: 2)
        registry.increment("t_requests_total", labels: ["topic": "a\"b"])
        registry.setCounter("t_requests_total", labels: ["topic": "c"], to: 5)
        registry.setCounter("t_requests_total", labels: ["topic": "c"], to: 4)  // never goes down
        registry.set("t_inflight", to: 2.5)
        registry.declare("t_seconds", .histogram, help: "Latency.", buckets: [0.1, 1])
        registry.observe("t_seconds", [0.05, 0.5, 0.5, 3])
        let samples = try Self.parse(registry.render())
        #expect(Self.value(samples, "t_requests_total", ["topic": "a\"b"]) == 3)
        #expect(Self.value(samples, "t_requests_total", ["topic": "c"]) == 5)
        #expect(Self.value(samples, "t_inflight") == 2.5)
        #expect(Self.value(samples, "t_seconds_bucket", ["le": "0.1"]) == 1)
        #expect(Self.value(samples, "t_seconds_bucket", ["le": "1"]) == 3)
        #expect(Self.value(samples, "t_seconds_bucket", ["le": "+Inf"]) == 4)
        #expect(Self.value(samples, "t_seconds_count") == 4)
        #expect(abs((Self.value(samples, "t_seconds_sum") ?? 0) - 4.05) < 1e-9)
    }

    @Test func serverAnswersMetricsHealthAndNotFound() async throws {
        let registry = MetricsRegistry()
        registry.declare("t_hits_total", .counter, help: "Hits.")
        let server = try MetricsHTTPServer(registry: registry, host: "127.0.0.1", port: 0)
        defer { server.stop() }
        #expect(server.port > 0)
        let health = try #require(await HTTPProbe.get(port: server.port, path: "/health"))
        #expect(health.status == 200)
        #expect(health.body == "ready\n")
        #expect(await HTTPProbe.get(port: server.port, path: "/nothing")?.status == 404)
        registry.increment("t_hits_total", by: 3)
        let first = try #require(await HTTPProbe.get(port: server.port, path: "/metrics"))
        #expect(first.status == 200)
        #expect(Self.value(try Self.parse(first.body), "t_hits_total") == 3)
        registry.increment("t_hits_total")
        let second = try #require(await HTTPProbe.get(port: server.port, path: "/metrics"))
        #expect(Self.value(try Self.parse(second.body), "t_hits_total") == 4)
    }

    /// The five services in one process over the in-memory bus, fed into one registry and
    /// scraped over HTTP: the counters move and agree with what the store saw.
    @Test func aBusyPortOrABadAddressIsOneLineSayingWhich() throws {
        let first = try MetricsHTTPServer(registry: MetricsRegistry(), host: "127.0.0.1", port: 0)
        defer { first.stop() }
        #expect(first.port > 0)
        do {
            let second = try MetricsHTTPServer(registry: MetricsRegistry(), host: "127.0.0.1", port: first.port)
            second.stop()
            Issue.record("a second server bound port \(first.port)")
        } catch let error as MetricsHTTPServer.StartError {
            #expect(error.description.hasPrefix("metrics server: cannot listen on 127.0.0.1:\(first.port): "), "\(error)")
        }
        let bad = #expect(throws: MetricsHTTPServer.StartError.self) {
            try MetricsHTTPServer(registry: MetricsRegistry(), host: "not-an-address", port: 0)
        }
        #expect(bad?.description == "metrics server: invalid IPv4 address not-an-address")
    }

    @Test(.timeLimit(.minutes(5)))
    func servicesFeedTheScrapedCounters() async throws {
        var settings = PipelineSettings()
        settings.batchSize = 100
        let bus = InMemoryBus(partitions: 2, capacity: 4096)
        let store = InMemoryResultStore()
        let registry = MetricsRegistry()
        let server = try MetricsHTTPServer(registry: registry, host: "127.0.0.1", port: 0)
        defer { server.stop() }
        var feeds: [(ServiceMetrics, [any RunnableService])] = []
        var runners: [any RunnableService] = []
        for service in PipelineService.allCases {
            let metrics = ServiceMetrics(registry: registry, service: service.rawValue)
            let made = try await service.runners(settings: settings, transport: bus, store: store, model: nil,
                                                 onApplied: { metrics.recordApplied($0) },
                                                 metrics: registry) { _ in }
            metrics.declare(made)
            feeds.append((metrics, made))
            runners += made
        }
        let tasks = runners.map { runner in Task { try await runner.run() } }
        defer { for task in tasks { task.cancel() } }
        let questions = try EmbeddedPipelineTests.sampleQuestions()
        let total = 300
        let generator = try QuestionGenerator(questions: questions, arrival: .constant(rate: 0),
                                              popularity: try Popularity.zipf(count: questions.count, exponent: 1.1),
                                              total: total, seed: 3, topics: settings.topics)
        try await generator.run(producer: try await bus.makeProducer()) { _ in }
        let clock = ContinuousClock()
        // A bound against a hang (under the 5-minute limit), not a measurement: 300 askings take
        // a fraction of a second, but in a whole-suite run a blocked cooperative pool once held
        // every task of this test (and of a dozen other suites) for about a minute.
        let deadline = clock.now + .seconds(240)
        while try await store.metrics().asked < total && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let stored = try await store.metrics()
        #expect(stored.asked == total)
        // Stopped, every runner has settled and counted all it read.
        for task in tasks { task.cancel() }
        for task in tasks { try await task.value }
        for (metrics, made) in feeds { await metrics.sample(made) }
        let scrape = try #require(await HTTPProbe.get(port: server.port, path: "/metrics"))
        #expect(scrape.status == 200)
        let samples = try Self.parse(scrape.body)
        let questionsIn = settings.topics.name(.questionsIn)
        #expect(Self.value(samples, ServiceMetricNames.consumed, ["stage": "cache", "topic": questionsIn]) == Double(total))
        #expect(Self.value(samples, ServiceMetricNames.storedResults) == Double(stored.questions))
        #expect(Self.value(samples, ServiceMetricNames.storeApplied) == Double(total))
        // Every asking in the latency histogram once, under its path.
        let latencyCounts = samples.filter { $0.name == ServiceMetricNames.e2eLatency + "_count" }
        #expect(latencyCounts.map(\.value).reduce(0, +) == Double(total))
        #expect((Self.value(samples, ServiceMetricNames.e2eLatency + "_count", ["path": "cache"]) ?? 0)
            == Double(stored.bySource[.cache, default: 0] + stored.bySource[.storage, default: 0]))
        let answered = latencyCounts.filter { $0.labels["path"]?.hasPrefix("llm_") == true }.map(\.value).reduce(0, +)
        // How many repeats found their question decided depends on timing; the first asking of
        // each question cannot, so some answers come from the LLM path.
        #expect(answered > 0 && answered == Double(stored.bySource[.score, default: 0]))
        #expect(latencyCounts.allSatisfy { ["cache", "coalesced", "failed"].contains($0.labels["path"]) || $0.labels["path"]?.hasPrefix("llm_") == true })
        #expect((Self.value(samples, ServiceMetricNames.e2eLatency + "_count", ["path": "coalesced"]) ?? 0)
            == Double(stored.bySource[.coalesced, default: 0]))
        // One cache lookup per asking; a hit is a decision served from the cache.
        let hits = Self.value(samples, ServiceMetricNames.cacheHits), misses = Self.value(samples, ServiceMetricNames.cacheMisses)
        #expect((hits ?? -1) + (misses ?? -1) == Double(total))
        #expect(hits == Double(stored.bySource[.cache, default: 0]))
        // Nothing crashed and no call failed: every LLM call made was one that a decision counts.
        #expect(Self.value(samples, ServiceMetricNames.llmCalls) == Double(stored.llmCalls))
        // Per asking, where the metrics document counts per question: only present, not equal.
        #expect(Self.value(samples, ServiceMetricNames.scoreDecisions, ["decision": "accepted"]) != nil)
        // One handling time per batch the score service handled and committed.
        let scoreBatches = try #require(Self.value(samples, ServiceMetricNames.batches, ["stage": "score"]))
        #expect(scoreBatches >= 1)
        #expect(Self.value(samples, ServiceMetricNames.batchSeconds + "_count", ["stage": "score"]) == scoreBatches)
        #expect(Self.value(samples, ServiceMetricNames.polled, ["stage": "score"])
            == Self.value(samples, ServiceMetricNames.consumed, ["stage": "score", "topic": settings.topics.name(.llmResponses)]))
    }
}

import Foundation

/// Prints the pipeline figures with the targets beside them.
struct PipelineReport {
    let figures: PipelineBenchmark.Figures

    func print() {
        Swift.print("== pipeline: offline LLM at zero latency, Zipf(1.1) popularity")
        Swift.print("")
        Swift.print(pad("transport", 15) + pad("store", 11) + pad("load", 34) + pad("questions/s", 13)
            + pad("p50 ms", 9) + pad("p90 ms", 9) + pad("p99 ms", 9) + pad("max ms", 9) + pad("LLM/q", 7) + pad("CPU µs/q", 10) + "peak RSS MB")
        for run in figures.runs {
            Swift.print(pad(run.transport, 15) + pad(run.store, 11) + pad(run.load, 34)
                + pad(number(run.questionsPerSecond) + (run.completed ? "" : "!"), 13)
                + pad(decimal(run.latency.p50Milliseconds), 9) + pad(decimal(run.latency.p90Milliseconds), 9)
                + pad(decimal(run.latency.p99Milliseconds), 9) + pad(decimal(run.latency.maxMilliseconds), 9)
                + pad(decimal(run.llmCallsPerQuestion), 7)
                + pad(run.cpuMicrosecondsPerQuestion.map(decimal) ?? "-", 10) + number(run.peakResidentMegabytes))
        }
        Swift.print("(! = not every question decided before the drain timeout; MongoDB runs are bounded by the")
        Swift.print(" MongoDB-protocol server's write rate, not by the pipeline; CPU µs/q = this process's user + system")
        Swift.print(" CPU time over the measured run per question, every service, the generator and the bus together)")
        if let bus = figures.runs.first(where: { $0.transport == "in-memory bus" && $0.load.hasPrefix("max") }) {
            Swift.print("in-memory bus max rate: \(number(bus.questionsPerSecond)) questions/s   target ≥ 150,000"
                + (bus.questionsPerSecond >= 150_000 ? "  met" : "  NOT MET"))
        }
        if let bus = figures.runs.first(where: { $0.transport == "kafka" && $0.store == "in-memory" && $0.load.hasPrefix("max") }) {
            Swift.print("kafka end to end: \(number(bus.questionsPerSecond)) questions/s   target ≥ 20,000"
                + (bus.questionsPerSecond >= 20_000 ? "  met" : "  NOT MET"))
        }
        if let half = figures.runs.first(where: { $0.transport == "kafka" && $0.load.hasPrefix("poisson") }) {
            Swift.print("kafka p99 at half load: \(decimal(half.latency.p99Milliseconds)) ms   target < 50 ms"
                + (half.latency.p99Milliseconds < 50 ? "  met" : "  NOT MET"))
            printPaths(of: half)
        }
        StageCPUReport(runs: figures.runs).print()
        BrokerCPUReport(runs: figures.runs).print()
        if let kafka = figures.kafka {
            Swift.print("")
            KafkaLayerReport(figures: kafka).print()
        }
        Swift.print("")
    }

    /// The half-load run's latency by path beside confluent-kafka crossing as many topics,
    /// and its hop latency per topic: where its p99 comes from.
    private func printPaths(of run: PipelineBenchmark.RunFigures) {
        Swift.print("")
        Swift.print("kafka at half load, by path (askings, share), p50 / p99 ms; the broker alone: confluent-kafka relaying")
        Swift.print("through as many topics at \(figures.chainRate.map(number) ?? "?") messages/s, p50 / p99 ms (scripts/kafka_chain.py)")
        let total = max(1, run.paths.reduce(0) { $0 + Int($1.latency.count) })
        for path in run.paths {
            let share = Double(path.latency.count) / Double(total) * 100
            var line = "  " + pad(path.path, 29)
                + pad("\(path.latency.count) (\(String(format: "%.1f", share)) %)", 17)
                + pad(decimal(path.latency.p50Milliseconds) + " / " + decimal(path.latency.p99Milliseconds), 18)
            if let topics = path.topics, let chain = figures.chain.first(where: { $0.hops == topics }) {
                line += "broker alone " + decimal(chain.p50Milliseconds) + " / " + decimal(chain.p99Milliseconds)
            }
            Swift.print(line)
        }
        if !run.hops.isEmpty {
            Swift.print("hop latency (record timestamp to poll), p50 / p90 / p99 ms:")
            for hop in run.hops {
                Swift.print("  " + pad(hop.topic, 29) + decimal(hop.latency.p50Milliseconds) + " / "
                    + decimal(hop.latency.p90Milliseconds) + " / " + decimal(hop.latency.p99Milliseconds))
            }
        }
    }
}

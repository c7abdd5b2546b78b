import Foundation
import Runtime

/// Prints where each run's CPU time went: microseconds per asking of every stage, the generator,
/// librdkafka's threads (over Kafka), the rest of the bench process (libmongoc's threads, the
/// run's own loop) and, over Kafka, the broker process. The largest share names the part that
/// bounds the throughput when the cores are saturated.
struct StageCPUReport {
    let runs: [PipelineBenchmark.RunFigures]

    func print() {
        let measured = runs.filter { !$0.cpuByStage.isEmpty }
        guard !measured.isEmpty else { return }
        // Every run's stages in their order (only the runs over Kafka have librdkafka's threads).
        var stages: [String] = []
        for run in measured {
            for stage in run.cpuByStage.map(\.stage) where !stages.contains(stage) {
                if stage == PipelineRun.Report.librdkafkaThreads,
                   let rest = stages.firstIndex(of: PipelineRun.Report.restOfTheProcess) {
                    stages.insert(stage, at: rest)
                } else {
                    stages.append(stage)
                }
            }
        }
        let short = [PipelineRun.Report.restOfTheProcess: "rest", PipelineRun.Report.librdkafkaThreads: "librdkafka"]
        Swift.print("")
        Swift.print("CPU µs per asking by stage, measured start to end of each run (thread CPU clock around each job of a")
        Swift.print("stage's tasks; the broker's from /proc/[pid]/stat):")
        Swift.print("  " + pad("run", 44) + stages.map { pad(short[$0] ?? $0, 11) }.joined()
            + pad("broker", 9) + "total")
        for run in measured {
            let name = run.transport + ", " + run.store + " store, " + (run.load.hasPrefix("max") ? "max rate" : "half rate")
            var line = "  " + pad(name, 44)
            for stage in stages {
                let figure = run.cpuByStage.first { $0.stage == stage }?.microsecondsPerQuestion
                line += pad(figure.map { String(format: "%.1f", $0) } ?? "-", 11)
            }
            let broker = run.broker?.brokerMicrosecondsPerUnit
            line += pad(broker.map { String(format: "%.1f", $0) } ?? "-", 9)
            let total = run.cpuByStage.reduce(0) { $0 + $1.microsecondsPerQuestion } + (broker ?? 0)
            Swift.print(line + String(format: "%.1f", total))
        }
        Swift.print("(librdkafka = its threads, read from /proc/self/task; rest = the rest of the bench process: libmongoc's")
        Swift.print(" threads, the run's own loop; llm-retry is the llm service's llm_errors stage)")
    }
}

import Foundation

/// Prints, for each run over Kafka, the CPU time the broker process and the bench process spent
/// from the measured start to the end of the run: per asking, and in cores (CPU seconds per wall
/// second). The two together near the machine's core count, with the broker's share large,
/// say that the broker bounds the throughput.
struct BrokerCPUReport {
    let runs: [PipelineBenchmark.RunFigures]

    func print() {
        let measured = runs.compactMap { run in run.broker.map { (run, $0) } }
        guard let first = measured.first else { return }
        Swift.print("")
        Swift.print("CPU over kafka, measured start to end of each run (broker pid \(first.1.pid), /proc/[pid]/stat; "
            + "\(ProcessInfo.processInfo.activeProcessorCount) cores):")
        Swift.print("  " + pad("run", 30) + pad("wall s", 8) + pad("broker CPU s", 14) + pad("µs/asking", 11)
            + pad("cores", 7) + pad("bench CPU s", 13) + pad("µs/asking", 11) + "cores")
        for (run, cpu) in measured {
            let name = run.store + " store, " + (run.load.hasPrefix("max") ? "max rate" : "half rate")
            Swift.print("  " + pad(name, 30) + pad(decimal(cpu.wallSeconds), 8)
                + pad(decimal(cpu.brokerCPUSeconds), 14) + pad(String(format: "%.1f", cpu.brokerMicrosecondsPerUnit), 11)
                + pad(decimal(cpu.brokerCores), 7) + pad(decimal(cpu.benchCPUSeconds), 13)
                + pad(String(format: "%.1f", cpu.benchMicrosecondsPerUnit), 11) + decimal(cpu.benchCores))
        }
    }
}

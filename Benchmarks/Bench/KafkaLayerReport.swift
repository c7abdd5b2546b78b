import Foundation

/// Prints the Kafka layer alone beside confluent-kafka, with the targets (produce at least as
/// fast, consume at least 1.2 times as fast) and the broker's CPU time per message of each.
struct KafkaLayerReport {
    let figures: PipelineBenchmark.KafkaFigures

    static let produceTarget = 1.0
    static let consumeTarget = 1.2

    func print() {
        let kafka = figures
        Swift.print("kafka layer alone, \(kafka.messages) messages of ~700 bytes, zstd, \(kafka.rounds.count) alternated rounds "
            + "(medians; each ratio the median of the rounds' ratios, range in brackets):")
        Swift.print("  this project: produce \(number(kafka.produceMessagesPerSecond))/s, consume \(number(kafka.consumeMessagesPerSecond))/s"
            + (kafka.compressionRatio.map { ", compression ratio \(decimal($0))" } ?? ""))
        guard let produce = kafka.pythonProduceMessagesPerSecond, let consume = kafka.pythonConsumeMessagesPerSecond,
              let produceRatio = kafka.produceRatio, let consumeRatio = kafka.consumeRatio else {
            Swift.print("  confluent-kafka baseline: not measured (run the bench under scripts/test-env.sh)")
            return
        }
        Swift.print("  confluent-kafka (Python): produce \(number(produce))/s, consume \(number(consume))/s")
        Swift.print("  ratio: produce \(decimal(produceRatio))x\(Self.range(kafka.produceRatioRange)) (target ≥ "
            + "\(decimal(Self.produceTarget))x" + Self.verdict(produceRatio, kafka.produceRatioRange, Self.produceTarget)
            + "), consume \(decimal(consumeRatio))x\(Self.range(kafka.consumeRatioRange)) (target ≥ "
            + "\(decimal(Self.consumeTarget))x" + Self.verdict(consumeRatio, kafka.consumeRatioRange, Self.consumeTarget) + ")")
        for (index, round) in kafka.rounds.enumerated() {
            Swift.print("    round \(index + 1): produce \(number(round.produce)) vs \(round.pythonProduce.map(number) ?? "?"), "
                + "consume \(number(round.consume)) vs \(round.pythonConsume.map(number) ?? "?")")
        }
        printConsumeCPU()
        if let ours = kafka.broker, let theirs = kafka.pythonBroker {
            Swift.print("  broker CPU per message (topic creation, produce, group join, consume): this project "
                + "\(decimal(ours.brokerMicrosecondsPerUnit)) µs, confluent-kafka \(decimal(theirs.brokerMicrosecondsPerUnit)) µs")
        }
    }

    /// Where each client's consume CPU went, from the round with the median consume rate: both
    /// read through librdkafka, whose one fetch thread per broker fetches, decompresses and parses
    /// every batch, so its busy share and the ceiling it sets say how much faster any client
    /// could consume here.
    func printConsumeCPU() {
        let measured = figures.rounds.filter { $0.consumeCPU != nil }
        guard !measured.isEmpty else { return }
        let median = measured.sorted { $0.consume < $1.consume }[measured.count / 2]
        func line(_ who: String, _ figures: PipelineBenchmark.ConsumeCPUFigures) -> String {
            let cpu = figures.cpu
            return "    \(who): fetch thread \(decimal(figures.microseconds(cpu.fetchThreadSeconds))) µs, all librdkafka threads "
                + "\(decimal(figures.microseconds(cpu.librdkafkaSeconds))) µs, poll loop "
                + "\(decimal(figures.microseconds(cpu.otherSeconds))) µs; "
                + "fetch thread busy \(Int((figures.fetchThreadBusy * 100).rounded())) % of the consume time, "
                + "its ceiling \(number(figures.fetchThreadCeiling))/s"
        }
        Swift.print("  consume CPU per message, from the round with the median consume rate (librdkafka's fetch thread fetches, "
            + "decompresses and parses every batch, for both clients):")
        Swift.print(line("this project", median.consumeCPU!))
        if let theirs = median.pythonConsumeCPU, let pythonConsume = median.pythonConsume {
            Swift.print(line("confluent-kafka", theirs))
            // The fastest consume that fetch thread allows, over what confluent-kafka reached.
            let ceiling = median.consumeCPU!.fetchThreadCeiling / pythonConsume
            Swift.print("    the fetch thread's ceiling is \(decimal(ceiling))x confluent-kafka's consume rate in that round: an upper "
                + "bound for any client reading through it at this CPU per message (it fetches one batch at a time and waits "
                + "for the broker's reply between)")
        }
    }

    static func range(_ range: [Double]?) -> String {
        guard let range, range.count == 2 else { return "" }
        return " [\(decimal(range[0]))–\(decimal(range[1]))]"
    }

    /// " met" when the median reaches the target, and "every round" when the lowest round did too.
    static func verdict(_ median: Double, _ range: [Double]?, _ target: Double) -> String {
        guard median >= target else { return " NOT MET" }
        if let low = range?.first, low >= target { return " met in every round" }
        return " met by the median, not in every round"
    }
}

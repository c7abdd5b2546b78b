import Foundation

/// Prints the Kafka layer alone beside confluent-kafka, with the targets (produce at least as
/// fast, consume at least 1.2 times as fast) and the broker's CPU time per message of each.
struct KafkaLayerReport {
    let figures: PipelineBenchmark.KafkaFigures

    static let produceTarget = 1.0
    static let consumeTarget = 1.2

    func print() {
        let kafka = figures
        Swift.print("kafka layer alone, \(kafka.messages) messages of ~700 bytes, zstd:")
        Swift.print("  this project: produce \(Self.number(kafka.produceMessagesPerSecond))/s, consume \(Self.number(kafka.consumeMessagesPerSecond))/s"
            + (kafka.compressionRatio.map { ", compression ratio \(Self.decimal($0))" } ?? ""))
        guard let produce = kafka.pythonProduceMessagesPerSecond, let consume = kafka.pythonConsumeMessagesPerSecond,
              let produceRatio = kafka.produceRatio, let consumeRatio = kafka.consumeRatio else {
            Swift.print("  confluent-kafka baseline: not measured (run the bench under scripts/test-env.sh)")
            return
        }
        Swift.print("  confluent-kafka (Python): produce \(Self.number(produce))/s, consume \(Self.number(consume))/s")
        Swift.print("  ratio: produce \(Self.decimal(produceRatio))x (target ≥ \(Self.decimal(Self.produceTarget))x"
            + (produceRatio >= Self.produceTarget ? " met" : " NOT MET") + "), consume \(Self.decimal(consumeRatio))x (target ≥ "
            + "\(Self.decimal(Self.consumeTarget))x" + (consumeRatio >= Self.consumeTarget ? " met" : " NOT MET") + ")")
        if let ours = kafka.broker, let theirs = kafka.pythonBroker {
            Swift.print("  broker CPU per message (topic creation, produce, group join, consume): this project "
                + "\(Self.decimal(ours.brokerMicrosecondsPerUnit)) µs, confluent-kafka \(Self.decimal(theirs.brokerMicrosecondsPerUnit)) µs")
        }
    }

    static func number(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value)) ?? "\(value)"
    }

    static func decimal(_ value: Double) -> String { String(format: "%.2f", value) }
}

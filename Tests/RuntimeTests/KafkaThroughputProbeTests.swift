import Testing
import TestSupport

import Runtime

@Suite("Kafka throughput probe (broker)", .timeLimit(.minutes(3)))
struct KafkaThroughputProbeTests {
    @Test func movesEveryMessageThrough() async throws {
        let probe = KafkaThroughputProbe(bootstrapServers: try TestBroker.bootstrapServers(), messageCount: 20_000)
        let measurement = try await probe.run(logger: TestBroker.logger)
        print("KafkaThroughputProbe: \(measurement)")
        #expect(measurement.messages == 20_000)
        let averageSize = Double(measurement.payloadBytes) / 20_000
        #expect((600...800).contains(averageSize), "about 700-byte messages, got \(averageSize)")
        #expect(measurement.keyBytes == 20_000 * 32)
        #expect(measurement.produceSeconds > 0 && measurement.consumeSeconds > 0)
        // Where the consume's CPU went: librdkafka's fetch thread did the fetching and
        // decompressing, and the poll loop ran on the process's other threads.
        let cpu = try #require(measurement.consumeCPU)
        #expect(cpu.fetchThreadSeconds > 0)
        #expect(cpu.librdkafkaSeconds >= cpu.fetchThreadSeconds)
        #expect(cpu.otherSeconds > 0)
        if let ratio = measurement.compressionRatio {
            #expect(ratio > 1, "zstd should shrink JSON text, ratio \(ratio)")
        }
    }
}

import Foundation
import Testing
import TestSupport

/// The broker baseline the benchmark prints beside the pipeline's latency by path
/// (`scripts/kafka_chain.py`, confluent-kafka relaying through chains of topics): it must
/// deliver every message through every chain, or the comparison means nothing.
@Suite("confluent-kafka chain baseline (broker)", .timeLimit(.minutes(3)))
struct KafkaChainBaselineTests {
    @Test func everyMessageCrossesEveryChainAndLongerChainsTakeLonger() async throws {
        let bootstrap = try TestBroker.bootstrapServers().joined(separator: ",")
        let outcome = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "scripts/kafka_chain.py", "--bootstrap", bootstrap, "--rate", "100", "--seconds", "1"])
        let data = Data(outcome.stdout.utf8)
        try #require(outcome.status == 0, "kafka_chain.py failed: \(outcome.stderr.suffix(2000))")
        let figures = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let sent = try #require(figures["sent"] as? Int)
        #expect(sent >= 90)
        var previous = 0.0
        for hops in [2, 4, 7, 10] {
            #expect(figures["hops_\(hops)_received"] as? Int == sent, "chain of \(hops) topics lost or repeated messages")
            let p50 = try #require(figures["hops_\(hops)_p50_ms"] as? Double)
            let p99 = try #require(figures["hops_\(hops)_p99_ms"] as? Double)
            #expect(p50 <= p99)
            // Each message reaches topic 10 after it reached topic 2: the medians are ordered.
            #expect(p50 >= previous, "median over \(hops) topics below the shorter chain's")
            previous = p50
        }
    }
}

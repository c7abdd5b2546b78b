import Foundation
import Testing
import TestSupport

import Kafka

/// A topic written in transactions has a commit marker after each transaction: an offset no
/// record is handed out at. The consumer fetches such a gap again for its gap patience before it
/// takes it as the log's (at once with no patience), and then counts that partition's gaps
/// without fetching them again; every record still comes exactly once.
@Suite("Gaps of the log's own", .timeLimit(.minutes(3)))
struct TransactionMarkerGapTests {
    @Test(arguments: [0, 1500])
    func markersOfATransactionalProducerAreFetchedAgainThenCountedAndNoRecordIsLost(patienceMilliseconds: Int) async throws {
        let topic = TestBroker.uniqueName("transactions")
        try await TestBroker.admin().createTopic(topic, partitions: 1)
        // Four transactions of five records (confluent-kafka, the test environment's): markers at
        // offsets 5, 11, 17 and 23, three of them between records.
        let script = """
            import sys
            from confluent_kafka import Producer
            p = Producer({"bootstrap.servers": sys.argv[1], "transactional.id": "veredicto-test-" + sys.argv[2]})
            p.init_transactions(30)
            for t in range(4):
                p.begin_transaction()
                for r in range(5):
                    p.produce(sys.argv[2], value=("%d-%d" % (t, r)).encode())
                p.commit_transaction(30)
            """
        let produced = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"),
                                                  ["python3", "-c", script, try TestServers.kafka(), topic])
        #expect(produced.status == 0, "\(produced.stderr)")

        let consumer = try TestBroker.consumer(group: TestBroker.uniqueName("transactions-group"), topic: topic,
                                               gapPatience: .milliseconds(patienceMilliseconds))
        var values: [String] = []
        try await consumer.consume(count: 20, timeout: .seconds(60), commit: true) { message in
            values.append(message.payload.text)
        }
        #expect(try await consumer.countArrivals(during: .seconds(1)) == 0)
        try await consumer.close()
        let expected = (0..<4).flatMap { t in (0..<5).map { r in "\(t)-\(r)" } }
        #expect(values == expected)
        // The first marker is fetched again for the patience and then taken as the log's; the two
        // after it are counted without fetching.
        #expect(consumer.passedOver.gaps == 3 && consumer.passedOver.records == 3)
        #expect(consumer.gapsRefetched == 0)
        print("transaction markers, gap patience \(patienceMilliseconds) ms: \(consumer.refetches) fetches again")
        if patienceMilliseconds == 0 {
            #expect(consumer.refetches == 0)
        } else {
            #expect(consumer.refetches >= 1)
        }
    }
}

import Testing

@testable import Kafka
import VeredictoCore

/// Which Kafka errors the runner retries and which it isolates (no broker needed).
@Suite struct KafkaErrorClassificationTests {
    @Test func aMessageTooLargeIsPermanentAndAnOutageIsNot() {
        #expect(KafkaError(.messageTooLarge, "5 MB").isPermanentFailure)
        #expect(KafkaError(.invalidArgument, "bad").isPermanentFailure)
        for code: KafkaError.Code in [.connection, .timedOut, .queueFull, .partitionsRevoked, .deliveryFailed, .broker] {
            #expect(!KafkaError(code, "transient").isPermanentFailure, "\(code)")
        }
    }
}

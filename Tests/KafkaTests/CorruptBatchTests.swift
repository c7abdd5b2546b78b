import Foundation
import Testing
import TestSupport
import VeredictoCore

import Kafka
import Stages
import Transport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records every value it handles; publishes nothing.
private struct RecordingStage: PipelineStage {
    let name = "recording"
    let inputTopics: [String]
    let handled = LockedValue<[String]>([])

    static func decode(_ raw: RawMessage) -> Inbound<String> { .message(String(decoding: raw.value, as: UTF8.self)) }

    static func payload(of input: String) -> [UInt8] { Array(input.utf8) }

    func handle(_ inputs: [String]) async throws -> [OutboundMessage] {
        handled.withLock { $0 += inputs }
        return []
    }
}

@Suite("Corrupt record batches", .timeLimit(.minutes(3)))
struct CorruptBatchTests {
    /// A record batch whose attributes say zstd and whose payload is not: librdkafka reports
    /// `_BAD_COMPRESSION` at its base offset for as long as the consumer does not seek past it.
    /// Before the fix the runner logged the error forever and never reached the next record.
    @Test func aBatchThatDoesNotDecompressIsADeadLetterAndTheRunnerMovesOn() async throws {
        let topic = TestBroker.uniqueName("corrupt")
        let dead = TestBroker.uniqueName("corrupt-dead")
        let admin = try TestBroker.admin()
        try await admin.createTopic(topic, partitions: 1)
        try await admin.createTopic(dead, partitions: 1)

        let plain = try TestBroker.producer()
        for value in ["before", "after"] {
            if value == "after" {
                try CorruptBatch.produce(bootstrap: try TestServers.kafka(), topic: topic, records: 3)
            }
            let group = DeliveryGroup()
            try plain.send(topic: topic, key: "k", value: Array(value.utf8), group: group)
            try await group.wait(timeout: .seconds(60))
        }
        try await plain.close()

        var transport = KafkaTransport(bootstrapServers: try TestBroker.bootstrapServers())
        transport.sessionTimeout = .seconds(6)
        let stage = RecordingStage(inputTopics: [topic])
        let groupID = TestBroker.uniqueName("corrupt-group")
        let consumer = try await transport.makeConsumer(group: groupID, topics: [topic])
        let producer = try await transport.makeProducer()
        let runner = ServiceRunner(stage: stage, consumer: consumer, producer: producer, deadLetterTopic: dead)
        let deadline = ContinuousClock.now + .seconds(60)
        while stage.handled.withLock({ $0.count }) < 2, ContinuousClock.now < deadline {
            try await runner.runOnce()
        }
        try await runner.runOnce()
        await consumer.close()
        await producer.close()
        #expect(stage.handled.withLock { $0 } == ["before", "after"], "the runner stalled at the corrupt batch")

        let reader = try TestBroker.consumer(group: TestBroker.uniqueName("corrupt-check"), topic: dead)
        var letters: [DeadLetter] = []
        let readDeadline = ContinuousClock.now + .seconds(30)
        while letters.isEmpty, ContinuousClock.now < readDeadline {
            let batch = try await reader.poll(timeout: .milliseconds(500))
            for message in batch { letters.append(try DeadLetter.decode(message.payload)) }
        }
        // A second one would have come by now, read in the same polls.
        let batch = try await reader.poll(timeout: .seconds(2))
        for message in batch { letters.append(try DeadLetter.decode(message.payload)) }
        try await reader.close()

        // The group's commit is past the batch and the record after it: a new member reads
        // nothing, neither the batch nor a record again.
        let next = try TestBroker.consumer(group: groupID, topic: topic)
        var readAgain: [Int64] = []
        var skippedAgain: [Int64] = []
        let againDeadline = ContinuousClock.now + .seconds(30)
        var assignedAt: ContinuousClock.Instant?
        while ContinuousClock.now < againDeadline {
            let batch = try await next.poll(timeout: .milliseconds(500))
            readAgain += batch.map(\.offset)
            skippedAgain += batch.corruptPlaces.map(\.offset)
            if assignedAt == nil, !next.assignedPartitions.isEmpty { assignedAt = .now }
            if let assignedAt, ContinuousClock.now - assignedAt > .seconds(3) { break }
        }
        try await next.close()
        #expect(assignedAt != nil, "the new member was never given the partition")
        #expect(readAgain.isEmpty && skippedAgain.isEmpty, "read again: \(readAgain), skipped again: \(skippedAgain)")

        #expect(letters.count == 1)
        let letter = try #require(letters.first)
        #expect(letter.sourceTopic == topic && letter.partition == 0 && letter.offset == 1)
        #expect(letter.reason.hasPrefix("record batch does not decompress: "), "\(letter.reason)")
    }
}

/// Publishes a well-formed RecordBatch v2 (right CRC32C, so the broker stores it) whose
/// attributes say zstd and whose payload is not zstd, with a Produce v3 request of its own:
/// no client library sends such a batch.
enum CorruptBatch {
    static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ ((crc & 1) != 0 ? 0x82F6_3B78 : 0) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    static func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func batch(records: Int32) -> [UInt8] {
        // zstd's magic number, then nonsense.
        let payload: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD] + Array(String(repeating: "not zstd at all!", count: 4).utf8)
        // attributes (zstd), lastOffsetDelta, first/max timestamp, producer id/epoch, base sequence, count
        var afterCRC = be(Int16(4)) + be(records - 1) + be(Int64(0)) + be(Int64(0)) + be(Int64(-1))
        afterCRC += be(Int16(-1)) + be(Int32(-1)) + be(records) + payload
        let afterLength = be(Int32(0)) + [2] + be(crc32c(afterCRC)) + afterCRC
        return be(Int64(0)) + be(Int32(afterLength.count)) + afterLength
    }

    /// Sends the batch to partition 0 of `topic` and waits for the broker's answer.
    static func produce(bootstrap: String, topic: String, records: Int32) throws {
        func string(_ text: String) -> [UInt8] { be(Int16(text.utf8.count)) + Array(text.utf8) }
        let batch = batch(records: records)
        var request = be(Int16(0)) + be(Int16(3)) + be(Int32(7)) + string("corrupt-batch") + be(Int16(-1))
        request += be(Int16(-1)) + be(Int32(10_000)) + be(Int32(1)) + string(topic)
        request += be(Int32(1)) + be(Int32(0)) + be(Int32(batch.count)) + batch
        let frame = be(Int32(request.count)) + request

        let parts = bootstrap.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else { throw TestTimeout(description: "bad address \(bootstrap)") }
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw TestTimeout(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, parts[0] == "localhost" ? "127.0.0.1" : String(parts[0]), &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestTimeout(description: "cannot connect to \(bootstrap)") }
        var sent = 0
        while sent < frame.count {
            let count = frame[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw TestTimeout(description: "send failed") }
            sent += count
        }
        func receive(_ size: Int) throws -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: size)
            var got = 0
            while got < size {
                let count = bytes[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { throw TestTimeout(description: "no produce response") }
                got += count
            }
            return bytes
        }
        let header = try receive(4)
        let size = header.reduce(0) { $0 << 8 | Int($1) }
        let response = try receive(size)
        // correlation id, topics (1), name, partitions (1), partition, error code
        let errorAt = 4 + 4 + 2 + topic.utf8.count + 4 + 4
        guard response.count >= errorAt + 2 else { throw TestTimeout(description: "short produce response") }
        let error = Int16(bitPattern: UInt16(response[errorAt]) << 8 | UInt16(response[errorAt + 1]))
        guard error == 0 else { throw TestTimeout(description: "the broker refused the batch: error \(error)") }
    }
}

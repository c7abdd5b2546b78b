#!/usr/bin/env python3
"""Publishes a record batch that does not decompress, between two valid records, and shows
what a librdkafka consumer makes of it.

Usage: scripts/test-env.sh bash -c 'python3 scripts/corrupt_batch.py "$VEREDICTO_TEST_KAFKA"'

The batch is a well-formed RecordBatch v2 (its CRC32C is right, so the broker stores it) whose
attributes say zstd and whose payload is not zstd. Against Tansu with librdkafka 2.16:
  - the consumer reads offset 0, then gets a consumer error _BAD_COMPRESSION naming the topic,
    the partition and the batch's base offset (1), again and again: it never moves;
  - seeking to base + 1, base + 2, ... reports the same error with the same base offset until
    the seek passes the batch's last record (base + 2 here), and then the next valid record
    (offset 4) arrives. librdkafka does not report the batch's last offset, so a consumer that
    moves past such a batch has to step one offset at a time (a longer step could skip valid
    records of the next batch).
"""
import socket
import struct
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def corrupt_batch(records: int) -> bytes:
    payload = b"\x28\xb5\x2f\xfd" + b"not zstd at all!" * 4  # zstd's magic, then nonsense
    # attributes (zstd), lastOffsetDelta, first/max timestamp, producer id/epoch, base sequence, count
    after_crc = struct.pack(">hiqqqhii", 4, records - 1, 0, 0, -1, -1, -1, records) + payload
    after_length = struct.pack(">ib", 0, 2) + struct.pack(">I", crc32c(after_crc)) + after_crc
    return struct.pack(">qi", 0, len(after_length)) + after_length


def produce_raw(bootstrap: str, topic: str, batch: bytes) -> bytes:
    """A Produce v3 request holding `batch` for partition 0; returns the response body."""
    host, port = bootstrap.rsplit(":", 1)

    def string(text: bytes) -> bytes:
        return struct.pack(">h", len(text)) + text

    request = (struct.pack(">hhi", 0, 3, 7) + string(b"corrupt-batch") + struct.pack(">h", -1)
               + struct.pack(">hi", -1, 10000) + struct.pack(">i", 1) + string(topic.encode())
               + struct.pack(">ii", 1, 0) + struct.pack(">i", len(batch)) + batch)
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(struct.pack(">i", len(request)) + request)
        size = struct.unpack(">i", sock.recv(4))[0]
        body = b""
        while len(body) < size:
            body += sock.recv(size - len(body))
    return body


def main() -> None:
    bootstrap = sys.argv[1]
    topic = f"corrupt_batch_{int(time.time())}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result()
    producer = Producer({"bootstrap.servers": bootstrap})
    producer.produce(topic, b"before", b"k")
    producer.flush(10)
    print("produce response", produce_raw(bootstrap, topic, corrupt_batch(records=3)).hex())
    producer.produce(topic, b"after", b"k")
    producer.flush(10)

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": topic, "auto.offset.reset": "earliest",
                         "session.timeout.ms": 6000})
    consumer.subscribe([topic])
    deadline, step = time.time() + 60, 0
    while time.time() < deadline:
        message = consumer.poll(1)
        if message is None:
            continue
        error = message.error()
        print(error.name() if error else "record", message.topic(), message.partition(), message.offset(),
              message.value()[:60])
        if error is not None and error.code() == -198:  # _BAD_COMPRESSION
            step += 1
            consumer.seek(TopicPartition(topic, message.partition(), message.offset() + step))
        elif message.value() == b"after":
            break
    consumer.close()


if __name__ == "__main__":
    main()

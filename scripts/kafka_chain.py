#!/usr/bin/env python3
"""Broker hop baseline: the end-to-end latency of a chain of topics crossed with
confluent-kafka alone, to compare the pipeline's latency per path against.

A pipeline asking crosses 2 topics (cache hit), 4 (LLM answer accepted at once),
7 or 10 (one or two regenerations). This script builds the same chains with no
pipeline around them: a producer writes timestamped messages (~700 bytes) to
topic 1 at a steady rate, relay processes copy topic k to topic k+1 as fast as
they can (poll, produce, no processing), and a sink reads topics 2, 4, 7 and 10
and records, for each message, the time since it was first produced. Every
client uses the pipeline's settings: zstd, linger.ms=1, idempotent producers,
fetch.wait.max.ms=10, Nagle off, one partition per topic. Relays are separate
processes, so the Python interpreter's lock is not in the measurement; the rate
is kept low (300 messages/s by default) so that the relays' CPU is not either.

Prints one JSON line: {"hops_2_p50_ms": ..., "hops_2_p99_ms": ..., ...,
"rate": ..., "librdkafka": "2.16.0"}. Progress goes to stderr.

Usage:
  python3 scripts/kafka_chain.py --bootstrap HOST:PORT [--rate 300] [--seconds 8]
  scripts/test-env.sh python3 scripts/kafka_chain.py   # broker from $VEREDICTO_TEST_KAFKA
"""

import argparse
import json
import multiprocessing
import os
import struct
import sys
import time

HOPS = (2, 4, 7, 10)


def client_settings(bootstrap, fetch_wait_ms, linger_ms):
    common = {"bootstrap.servers": bootstrap, "socket.nagle.disable": True}
    consumer = dict(common, **{"group.id": "veredicto-chain", "enable.auto.commit": False,
                               "fetch.wait.max.ms": fetch_wait_ms})
    producer = dict(common, **{"linger.ms": linger_ms, "compression.codec": "zstd", "enable.idempotence": True})
    return consumer, producer


def assigned_consumer(settings, topics):
    from confluent_kafka import Consumer, TopicPartition
    consumer = Consumer(settings)
    consumer.assign([TopicPartition(topic, 0, 0) for topic in topics])
    return consumer


def relay(source, target, consumer_settings, producer_settings, stop):
    from confluent_kafka import Producer
    consumer = assigned_consumer(consumer_settings, [source])
    producer = Producer(producer_settings)
    while not stop.is_set():
        first = consumer.poll(0.05)
        if first is None:
            continue
        for message in [first] + consumer.consume(1000, 0):
            if not message.error():
                producer.produce(target, message.value(), key=message.key())
        producer.poll(0)
    producer.flush(10)
    consumer.close()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", default=os.environ.get("VEREDICTO_TEST_KAFKA"))
    parser.add_argument("--rate", type=float, default=300, help="messages per second into the chain")
    parser.add_argument("--seconds", type=float, default=8, help="how long to send")
    parser.add_argument("--fetch-wait-ms", type=int, default=10)
    parser.add_argument("--linger-ms", type=int, default=1)
    args = parser.parse_args()
    if not args.bootstrap:
        parser.error("--bootstrap HOST:PORT is required (or run under scripts/test-env.sh)")
    if args.rate <= 0 or args.seconds <= 0:
        parser.error("--rate and --seconds must be positive")

    import confluent_kafka
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    consumer_settings, producer_settings = client_settings(args.bootstrap, args.fetch_wait_ms, args.linger_ms)
    prefix = f"chain_{os.getpid()}_{time.time_ns()}_"
    topics = [f"{prefix}{k}" for k in range(1, max(HOPS) + 1)]
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    for future in admin.create_topics([NewTopic(topic, 1, 1) for topic in topics]).values():
        future.result()

    stop = multiprocessing.Event()
    relays = [multiprocessing.Process(target=relay, args=(topics[k], topics[k + 1], consumer_settings,
                                                          producer_settings, stop))
              for k in range(len(topics) - 1)]
    for process in relays:
        process.start()
    sink_topics = {topics[hops - 1]: hops for hops in HOPS}
    sink = assigned_consumer(consumer_settings, list(sink_topics))
    producer = Producer(producer_settings)
    latencies = {hops: [] for hops in HOPS}

    def drain(timeout):
        first = sink.poll(timeout)
        if first is None:
            return
        now = time.time_ns()
        for message in [first] + sink.consume(1000, 0):
            if not message.error():
                sent, measured = struct.unpack("<qB", message.value()[:9])
                if measured:
                    latencies[sink_topics[message.topic()]].append((now - sent) / 1e6)

    # Warm-up: every relay connected and its first fetch answered. Warm-up messages carry
    # a 0 after their timestamp and are not counted, however late they arrive.
    filler = b"x" * 691
    warmed = [False]

    def warm_drain(timeout):
        first = sink.poll(timeout)
        if first is not None and any(not m.error() and m.topic() == topics[-1] for m in [first] + sink.consume(1000, 0)):
            warmed[0] = True

    warm_until = time.time() + 30
    while time.time() < warm_until and not warmed[0]:
        producer.produce(topics[0], struct.pack("<qB", time.time_ns(), 0) + filler)
        producer.poll(0)
        warm_drain(0.1)
    if not warmed[0]:
        print("kafka_chain: the chain did not deliver within 30 s", file=sys.stderr)
        stop.set()
        sys.exit(1)

    print(f"kafka_chain: {args.rate:.0f} messages/s for {args.seconds:.0f} s through {len(topics)} topics",
          file=sys.stderr)
    start = time.time()
    sent = 0
    while time.time() - start < args.seconds:
        due = int((time.time() - start) * args.rate)
        while sent < due:
            producer.produce(topics[0], struct.pack("<qB", time.time_ns(), 1) + filler, key=str(sent).encode())
            sent += 1
        producer.poll(0)
        drain(0.0005)
    producer.flush(10)
    deadline = time.time() + 10
    while time.time() < deadline and len(latencies[max(HOPS)]) < sent:
        drain(0.01)
    stop.set()
    for process in relays:
        process.join(20)
    sink.close()

    figures = {"rate": args.rate, "sent": sent, "librdkafka": confluent_kafka.libversion()[0]}
    for hops in HOPS:
        values = latencies[hops]
        figures[f"hops_{hops}_received"] = len(values)
        if values:
            figures[f"hops_{hops}_p50_ms"] = round(percentile(values, 0.50), 3)
            figures[f"hops_{hops}_p90_ms"] = round(percentile(values, 0.90), 3)
            figures[f"hops_{hops}_p99_ms"] = round(percentile(values, 0.99), 3)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

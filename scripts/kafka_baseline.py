#!/usr/bin/env python3
"""Kafka client baseline: how fast librdkafka (through confluent-kafka) moves
Veredicto-sized question messages through a broker, with no pipeline around it.

Produces N JSON question messages (~700 bytes each, text generated
deterministically) to a fresh single-partition topic with the pipeline's
producer settings (zstd at level 1, linger.ms=5, batch.size=1000000, idempotent,
key = trace_id),
then reads them all back with a consumer group, and prints one JSON line:

  {"produce_msgs_per_s": ..., "consume_msgs_per_s": ..., "messages": N,
   "bytes": ..., "librdkafka": "2.16.0", "consume_fetch_thread_cpu_s": ...,
   "consume_librdkafka_cpu_s": ..., "consume_other_cpu_s": ...}

"bytes" is the total size of the message values (JSON payloads, keys not
included). Produce rate: first produce() until flush() has every delivery
report. Consume rate: partition assignment until the last message (the group
join before the assignment is left out and printed separately on stderr; on
Tansu it takes about half of session.timeout.ms). The consume_*_cpu_s figures
are where the consume's CPU time went, from /proc/self/task (left out where it
cannot be read): librdkafka's busiest broker thread (it fetches, decompresses
and parses the batches), all of librdkafka's threads, and the other threads
(the Python poll loop). Progress goes to stderr.

Usage:
  python3 scripts/kafka_baseline.py --bootstrap HOST:PORT [--messages N] [--timeout S]
  scripts/test-env.sh python3 scripts/kafka_baseline.py   # broker from $VEREDICTO_TEST_KAFKA
"""

import argparse
import json
import os
import random
import socket
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

try:
    import confluent_kafka
    from confluent_kafka import Consumer, KafkaException, Producer
    from confluent_kafka.admin import AdminClient, NewTopic
except ImportError:
    sys.exit("kafka_baseline: error: confluent_kafka is not installed "
             "(run under scripts/test-env.sh, or pip install confluent-kafka)")

PROG = "kafka_baseline"


def log(msg):
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)


class GiveUp(Exception):
    pass


class Deadline:
    def __init__(self, seconds):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self):
        return self.end - time.monotonic()

    def check(self, what):
        if time.monotonic() > self.end:
            raise GiveUp(f"gave up after {self.seconds:g} s while {what}")


# ------------------------------------------------------------------ data ---

_SYLLABLES = ["ka", "to", "re", "mi", "sa", "lo", "ne", "vi", "da", "po", "ru",
              "te", "fa", "gi", "ho", "ze", "bu", "an", "el", "or", "in", "us",
              "st", "tr", "pl", "ch", "sh", "qu", "br", "ment", "tion", "ing"]
_COMMON = ("the a to of and is in it you that for i do how what on be can with "
           "my are if your this not or have but they as at so there get from "
           "why was would an when will just me about does should like one all "
           "no best good know way some think people time more make any out "
           "answer question help").split()


def build_token_stream(rng, n_tokens):
    """Deterministic pseudo-English: a Zipf-distributed vocabulary of common
    words plus generated ones, so that zstd sees text about as compressible
    as real questions and answers (not a few repeated strings)."""
    vocab = list(_COMMON)
    seen = set(vocab)
    while len(vocab) < 6000:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4))))
        if word not in seen:
            seen.add(word)
            vocab.append(word)
    weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(vocab))]
    tokens = rng.choices(vocab, weights=weights, k=n_tokens)
    # Sentence structure: a full stop and a capital now and then.
    for i in range(0, n_tokens, 14):
        j = i + rng.randrange(8, 20)
        if j < n_tokens:
            tokens[j] = tokens[j] + "."
    return tokens


def generate_messages(n, seed=20240601):
    rng = random.Random(seed)
    stream = build_token_stream(rng, 2_000_000)
    limit = len(stream) - 100
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    keys, values = [], []
    for i in range(n):
        def text(lo, hi):
            length = rng.randrange(lo, hi)
            start = rng.randrange(0, limit)
            words = stream[start:start + length]
            s = " ".join(words)
            return s[:1].upper() + s[1:]

        trace_id = "%032x" % rng.getrandbits(128)
        msg = {
            "message_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "trace_id": trace_id,
            "question_id": 1_000_000 + i,
            "title": text(7, 13).rstrip(".") + "?",
            "content": text(21, 37),
            "best_answer": text(40, 66),
            "source": "yahoo_answers",
            "created_at": (base + timedelta(seconds=37 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "attempts": 0,
        }
        keys.append(trace_id.encode())
        values.append(json.dumps(msg, separators=(",", ":")).encode())
    return keys, values


# ----------------------------------------------------------------- kafka ---

def create_topic(bootstrap, topic, deadline):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)],
                                  operation_timeout=10, request_timeout=15)
    try:
        futures[topic].result(timeout=max(1.0, min(20.0, deadline.remaining())))
    except KafkaException as e:
        raise GiveUp(f"cannot create topic {topic} on {bootstrap}: {e.args[0].str()}") from None
    except Exception as e:  # concurrent.futures.TimeoutError and the like
        raise GiveUp(f"cannot create topic {topic} on {bootstrap}: {e!r}") from None
    return admin


def produce(bootstrap, topic, keys, values, deadline):
    errors = []

    def on_delivery(err, _msg):
        if err is not None:
            errors.append(err)

    producer = Producer({
        "bootstrap.servers": bootstrap,
        "compression.codec": "zstd",
        "compression.level": 1,  # veredicto's default zstd level
        "linger.ms": 5,
        "batch.size": 1_000_000,
        # As veredicto's producer: idempotent (acks=all, no duplicates on a retried request).
        "enable.idempotence": True,
        "on_delivery": on_delivery,
    })
    t0 = time.perf_counter()
    for i, (key, value) in enumerate(zip(keys, values)):
        while True:
            try:
                producer.produce(topic, value=value, key=key)
                break
            except BufferError:  # local queue full: let deliveries drain it
                producer.poll(0.01)
                deadline.check(f"producing (queue full, {i} of {len(values)} queued)")
        if i % 1000 == 0:
            producer.poll(0)
            if errors:
                raise GiveUp(f"delivery failed: {errors[0]}")
            deadline.check(f"producing ({i} of {len(values)} queued)")
    while True:
        left = producer.flush(max(0.0, min(1.0, deadline.remaining())))
        if left == 0:
            break
        deadline.check(f"flushing ({left} messages not yet delivered)")
    elapsed = time.perf_counter() - t0
    if errors:
        raise GiveUp(f"{len(errors)} deliveries failed, first: {errors[0]}")
    return elapsed


def thread_cpu():
    """{tid: (name, CPU seconds)} of this process's threads, from /proc/self/task
    (schedstat's first field, nanoseconds on a CPU); {} where it cannot be read."""
    threads = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return threads
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/comm") as f:
                name = f.read().rstrip("\n")
            with open(f"/proc/self/task/{tid}/schedstat") as f:
                seconds = int(f.read().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            continue
        threads[tid] = (name, seconds)
    return threads


def consume_cpu(before, after):
    """Where the consume's CPU time went, as the Swift probe reports it: librdkafka's busiest
    broker thread (fetching, decompressing, parsing), all of librdkafka's threads, and the
    others (the Python poll loop)."""
    spent = {tid: (name, max(0.0, s - before.get(tid, (name, 0.0))[1])) for tid, (name, s) in after.items()}
    rdk = [s for name, s in spent.values() if name.startswith("rdk:")]
    fetch = [s for name, s in spent.values() if name.startswith("rdk:broker")]
    other = [s for name, s in spent.values() if not name.startswith("rdk:")]
    return {"fetch_thread_s": max(fetch, default=0.0), "librdkafka_s": sum(rdk), "other_s": sum(other)}


def consume(bootstrap, topic, keys, values, deadline):
    """Consume time and group join time, in seconds, and where the consume's CPU went
    (from the consumer's start to the last message, the group join included)."""
    n = len(values)
    assigned_at = []

    def on_assign(_consumer, partitions):
        if partitions and not assigned_at:
            assigned_at.append(time.perf_counter())

    threads_before = thread_cpu()
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"{topic}-group",
        "session.timeout.ms": 10000,
        "auto.offset.reset": "earliest",
    })
    t_subscribe = time.perf_counter()
    consumer.subscribe([topic], on_assign=on_assign)
    count = 0
    nbytes = 0
    try:
        while count < n:
            deadline.check(f"consuming ({count} of {n} received)")
            for msg in consumer.consume(num_messages=10000, timeout=1):
                err = msg.error()
                if err is not None:
                    raise GiveUp(f"consume error: {err}")
                if count < n and msg.key() != keys[count]:
                    raise GiveUp(f"message {count} out of order or corrupt (key {msg.key()!r})")
                count += 1
                nbytes += len(msg.value())
        t_end = time.perf_counter()
        threads_after = thread_cpu()
    finally:
        consumer.close()
    if count != n:
        raise GiveUp(f"consumed {count} messages, expected {n}")
    expected_bytes = sum(len(v) for v in values)
    if nbytes != expected_bytes:
        raise GiveUp(f"consumed {nbytes} bytes, expected {expected_bytes}")
    t_assign = assigned_at[0] if assigned_at else t_subscribe
    cpu = consume_cpu(threads_before, threads_after) if threads_before and threads_after else None
    return t_end - t_assign, t_assign - t_subscribe, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", default=os.environ.get("VEREDICTO_TEST_KAFKA"),
                        help="Kafka bootstrap HOST:PORT (default: $VEREDICTO_TEST_KAFKA)")
    parser.add_argument("--messages", "-n", type=int, default=200_000,
                        help="number of messages (default: 200000)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="give up after this many seconds in all (default: 120)")
    parser.add_argument("--keep-topic", action="store_true",
                        help="do not delete the benchmark topic at the end")
    args = parser.parse_args()
    if not args.bootstrap:
        parser.error("--bootstrap HOST:PORT is required (or set VEREDICTO_TEST_KAFKA)")
    if args.messages <= 0:
        parser.error("--messages must be positive")

    host, _, port = args.bootstrap.rpartition(":")
    if not host or not port.isdigit():
        parser.error(f"--bootstrap must be HOST:PORT, got {args.bootstrap!r}")
    # A refused connection would otherwise show up as a stream of librdkafka
    # reconnect logs followed by a time-out.
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=5).close()
    except OSError as e:
        log(f"error: cannot connect to Kafka broker {args.bootstrap}: {e.strerror or e}")
        return 1

    deadline = Deadline(args.timeout)
    libversion = confluent_kafka.libversion()[0]
    topic = f"veredicto-baseline-{int(time.time())}-{os.getpid()}-{random.randrange(1 << 30):08x}"

    try:
        t0 = time.perf_counter()
        keys, values = generate_messages(args.messages)
        total_bytes = sum(len(v) for v in values)
        log(f"generated {args.messages} messages, {total_bytes} bytes "
            f"(avg {total_bytes / args.messages:.0f} B) in {time.perf_counter() - t0:.1f} s; "
            f"librdkafka {libversion}, broker {args.bootstrap}, topic {topic}")
        deadline.check("generating messages")

        admin = create_topic(args.bootstrap, topic, deadline)
        produce_s = produce(args.bootstrap, topic, keys, values, deadline)
        log(f"produced in {produce_s:.2f} s")
        consume_s, join_s, cpu = consume(args.bootstrap, topic, keys, values, deadline)
        log(f"consumer group joined in {join_s:.2f} s, consumed in {consume_s:.2f} s")

        if not args.keep_topic:
            try:
                admin.delete_topics([topic], operation_timeout=10)[topic].result(timeout=15)
            except Exception as e:  # best effort: the broker is a throw-away one
                log(f"warning: could not delete topic {topic}: {e}")
    except GiveUp as e:
        log(f"error: {e}")
        return 1

    figures = {
        "produce_msgs_per_s": round(args.messages / produce_s),
        "consume_msgs_per_s": round(args.messages / consume_s),
        "messages": args.messages,
        "bytes": total_bytes,
        "librdkafka": libversion,
    }
    if cpu is not None:
        figures["consume_fetch_thread_cpu_s"] = round(cpu["fetch_thread_s"], 4)
        figures["consume_librdkafka_cpu_s"] = round(cpu["librdkafka_s"], 4)
        figures["consume_other_cpu_s"] = round(cpu["other_s"], 4)
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The checks scripts/deploy-test.sh runs against a compose deployment, from the host.

  reconcile   waits until the metrics document has counted every asking the generator logs
              record, then checks what the end-to-end tests check
              (Tests/ServiceProcessTests/EndToEndTests.swift): every asked question has exactly one
              result, times_asked adds up to the askings, and the metrics document equals the
              sums over `results`. Prints the throughput: askings of the last run divided by the
              time from its first send until the metrics document counted them all (polled
              every 0.25 s), and how long after the last send that was.
  prometheus  checks through Prometheus's HTTP API that every service was scraped: each
              expected instance of each service answered `up`, and carries its own metrics.
  memory      the largest resident memory of each container in `docker stats` samples.

Needs pymongo (reconcile). Exit code 0 when every check passes; each failure is one line on
standard error.
"""
import argparse
import csv
import datetime
import glob
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request

failures = []


def fail(message):
    failures.append(message)
    print(f"deploy-check: FAIL {message}", file=sys.stderr)


def finish(summary):
    print(json.dumps(summary, sort_keys=True))
    return 1 if failures else 0


# ------------------------------------------------------------------ reconcile ---
def read_logs(directory):
    """The generator traffic logs: one list of (question_id, sent_at) per file, oldest first."""
    runs = []
    for path in sorted(glob.glob(os.path.join(directory, "**", "generator_*.csv"), recursive=True)):
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        sends = [(row["question_id"], parse_time(row["sent_at"])) for row in rows]
        if sends:
            runs.append(sorted(sends, key=lambda send: send[1]))
    runs.sort(key=lambda sends: sends[0][1])
    return runs


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def result_sums(database):
    pipeline = [{"$group": {
        "_id": None,
        "asked": {"$sum": "$times_asked"},
        "regenerations": {"$sum": "$regenerations"},
        "llm_calls": {"$sum": "$llm_calls"},
        "prompt_tokens": {"$sum": "$prompt_tokens"},
        "completion_tokens": {"$sum": "$completion_tokens"},
        "cache": {"$sum": "$served.cache"},
        "max_attempts": {"$max": "$attempts"},
    }}]
    found = list(database["results"].aggregate(pipeline))
    return found[0] if found else {}


def reconcile(args):
    from pymongo import MongoClient

    runs = read_logs(args.logs)
    sends = [send for run in runs for send in run]
    total = len(sends)
    asked_ids = {question for question, _ in sends}
    if len(runs) != args.runs:
        fail(f"{len(runs)} generator logs in {args.logs}, expected {args.runs}")
    if total != args.total:
        fail(f"the generator logs hold {total} sends, expected {args.total}")
    if not runs:
        return finish({"asked": 0})

    database = MongoClient(args.mongo, serverSelectionTimeoutMS=10000)[args.db]
    deadline = time.time() + args.timeout
    metrics = None
    counted_at = None
    while time.time() < deadline:
        metrics = database["metrics"].find_one({"_id": "global"})
        if metrics and int(metrics.get("asked", 0)) >= total:
            counted_at = time.time()
            break
        time.sleep(0.25)
    if counted_at is None:
        fail(f"after {args.timeout:.0f} s the metrics document counts {metrics and metrics.get('asked')} askings of {total}")
        return finish({"asked": total, "metrics": str(metrics)})
    # Late duplicates (redelivery after an instance died) would show up now: look again.
    time.sleep(args.settle)
    metrics = database["metrics"].find_one({"_id": "global"})
    sums = result_sums(database)
    results = database["results"].count_documents({})

    def number(document, *path):
        for key in path:
            document = (document or {}).get(key)
        return int(document or 0)

    checks = [
        ("metrics asked", number(metrics, "asked"), total),
        ("results (one per asked question)", results, len(asked_ids)),
        ("metrics questions", number(metrics, "questions"), len(asked_ids)),
        ("sum of times_asked", number(sums, "asked"), total),
        ("sum of regenerations", number(sums, "regenerations"), number(metrics, "regenerations")),
        ("sum of llm_calls", number(sums, "llm_calls"), number(metrics, "llm_calls")),
        ("sum of prompt_tokens", number(sums, "prompt_tokens"), number(metrics, "prompt_tokens")),
        ("sum of completion_tokens", number(sums, "completion_tokens"), number(metrics, "completion_tokens")),
        ("sum of served.cache", number(sums, "cache"), number(metrics, "by_source", "cache")),
        ("accepted + forced + failed",
         number(metrics, "accepted") + number(metrics, "forced") + number(metrics, "failed"), len(asked_ids)),
    ]
    for name, got, expected in checks:
        if got != expected:
            fail(f"{name}: {got}, expected {expected}")
    ids_with_results = {str(document.get("question_id")) for document in database["results"].find({}, {"question_id": 1})}
    missing = asked_ids - ids_with_results
    if missing:
        fail(f"{len(missing)} asked questions have no result, e.g. {sorted(missing)[:3]}")
    if number(sums, "max_attempts") > args.max_attempts:
        fail(f"a result took {number(sums, 'max_attempts')} attempts, more than {args.max_attempts}")
    if len(asked_ids) >= total:
        fail("no question was asked twice: the run did not exercise repeats")
    if number(metrics, "by_source", "cache") <= 0:
        fail("no asking was served from the cache")
    if number(metrics, "regenerations") <= 0:
        fail("no answer was regenerated")

    last = runs[-1]
    run_seconds = counted_at - last[0][1]
    send_seconds = max(last[-1][1] - last[0][1], 1e-9)
    return finish({
        "asked": total, "distinct": len(asked_ids), "results": results,
        "cache": number(metrics, "by_source", "cache"), "regenerations": number(metrics, "regenerations"),
        "accepted": number(metrics, "accepted"), "forced": number(metrics, "forced"),
        "failed": number(metrics, "failed"),
        "last_run": {"askings": len(last), "offered_per_s": round(len(last) / send_seconds, 1),
                     "first_send_to_counted_s": round(run_seconds, 2),
                     "last_send_to_counted_s": round(counted_at - last[-1][1], 2),
                     "throughput_per_s": round(len(last) / run_seconds, 1)},
    })


# ----------------------------------------------------------------- prometheus ---
def prometheus_query(url, query):
    address = f"{url}/api/v1/query?" + urllib.parse.urlencode({"query": query})
    with urllib.request.urlopen(address, timeout=10) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise RuntimeError(f"{query}: {body}")
    return body["data"]["result"]


def prometheus(args):
    expected = {}
    for item in args.services.split(","):
        name, _, count = item.partition("=")
        expected[name] = int(count or 1)
    window = f"{args.window}s"
    deadline = time.time() + args.timeout
    while True:
        problems = []
        summary = {}
        try:
            ever_up = prometheus_query(args.url, f"max_over_time(up[{window}]) == 1")
            now_up = prometheus_query(args.url, "up == 1")
            # last_over_time: a generator that has exited left its series behind, marked stale.
            series = prometheus_query(args.url, f"count by (service) (last_over_time({{__name__=~\"veredicto_.+\"}}[{window}]))")
        except Exception as error:  # noqa: BLE001 - Prometheus not answering yet is retried
            problems.append(f"Prometheus at {args.url}: {error}")
            ever_up, now_up, series = [], [], []
        counts = {entry["metric"].get("service"): int(float(entry["value"][1])) for entry in series}
        for name, count in expected.items():
            seen = sorted({entry["metric"].get("instance") for entry in ever_up if entry["metric"].get("service") == name})
            current = sorted({entry["metric"].get("instance") for entry in now_up if entry["metric"].get("service") == name})
            summary[name] = {"instances_scraped": len(seen), "instances_up_now": len(current),
                             "series": counts.get(name, 0)}
            if len(seen) < count:
                problems.append(f"{name}: {len(seen)} instances scraped, expected {count}")
            if name in args.running.split(",") and len(current) < count:
                problems.append(f"{name}: {len(current)} instances up now, expected {count}")
            if counts.get(name, 0) == 0:
                problems.append(f"{name}: no veredicto_* series scraped")
        if not problems or time.time() >= deadline:
            break
        time.sleep(2)
    for problem in problems:
        fail(problem)
    return finish(summary)


# --------------------------------------------------------------------- memory ---
UNITS = {"B": 1, "KIB": 1024, "KB": 1000, "MIB": 1024 ** 2, "MB": 1000 ** 2, "GIB": 1024 ** 3, "GB": 1000 ** 3}


def memory(args):
    largest = {}
    with open(args.samples, encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2:
                continue
            name, usage = parts
            if name in ("", "--"):  # a container going away while docker stats reads it
                continue
            match = re.match(r"\s*([\d.]+)\s*([A-Za-z]+)", usage)
            if not match or match.group(2).upper() not in UNITS:
                continue
            mib = float(match.group(1)) * UNITS[match.group(2).upper()] / 1024 ** 2
            largest[name] = max(largest.get(name, 0.0), mib)
    summary = {name: round(mib, 1) for name, mib in sorted(largest.items())}
    for name, mib in summary.items():
        if args.services_pattern and re.search(args.services_pattern, name) and mib > args.limit_mib:
            fail(f"{name}: {mib} MiB resident, over {args.limit_mib} MiB")
    return finish(summary)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("reconcile")
    check.add_argument("--mongo", required=True)
    check.add_argument("--db", default="yahoo_db")
    check.add_argument("--logs", required=True, help="directory holding the generator_*.csv logs")
    check.add_argument("--runs", type=int, required=True, help="generator runs expected in the logs")
    check.add_argument("--total", type=int, required=True, help="askings expected over all runs")
    check.add_argument("--timeout", type=float, default=180)
    check.add_argument("--settle", type=float, default=3)
    check.add_argument("--max-attempts", type=int, default=3)
    scrape = commands.add_parser("prometheus")
    scrape.add_argument("--url", required=True)
    scrape.add_argument("--services", required=True, help="e.g. cache=2,llm=1,score=2,store=1,generator=1")
    scrape.add_argument("--running", default="", help="services that must be up now, comma separated")
    scrape.add_argument("--window", type=int, default=900, help="seconds looked back for `up`")
    scrape.add_argument("--timeout", type=float, default=60)
    sample = commands.add_parser("memory")
    sample.add_argument("--samples", required=True, help="lines NAME<TAB>MEMUSAGE from docker stats")
    sample.add_argument("--limit-mib", type=float, default=64)
    sample.add_argument("--services-pattern", default="", help="regex of the containers held to the limit")
    args = parser.parse_args()
    return {"reconcile": reconcile, "prometheus": prometheus, "memory": memory}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

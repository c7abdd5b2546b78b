#!/usr/bin/env python3
"""Splits a perf profile of the pipeline by stage and by kind of work.

Input: the text of `perf script -F comm,tid,ip,sym -i perf.data` (a `perf record -g` of
`veredicto run` or of `bench --section pipeline`). Each sample is given to the part of the
pipeline named by the innermost frame of its stack that belongs to one (a sample in
`swift_retain` called from the cache's `handle` counts for "cache: handle"), and separately to
a kind of work by its innermost frame alone. Prints both tables as shares of all samples.

Usage: python3 scripts/perf_stages.py perf.txt
"""
import collections
import re
import sys

# Order matters: the first rule that matches a frame names its part.
PARTS = [
    ("generator", r"Generator08QuestionA0V|QuestionGenerator|SyntheticText|Popularity"),
    ("cache: decode", r"CacheStage.*decode|decodeAnswer"),
    ("cache: handle", r"CacheStage"),
    ("store: decode", r"StoreStage.*decode"),
    ("store: lookups asked by the cache", r"InMemoryResultStoreC7results"),
    ("store: apply", r"StoreStage|InMemoryResultStore|ResultLedger|MessageIDSet"),
    ("score", r"ScoreStage|TFIDF|csc_|CScoring|Scoring"),
    ("run files (after the run)", r"RunFiles"),
    ("llm", r"LLMStage|OfflineLLM|OfflineAnswerWriter|LLMRequest|LLMResponse"),
    ("bus", r"InMemoryBus|InMemoryConsumer|InMemoryProducer|PollLedger"),
    ("runner", r"ServiceRunner|SharedProducer|LentProducer|DeliveryReceipt|CommitHold"),
    ("run driver", r"PipelineRun|LatencyRecorder"),
]

KINDS = [
    ("JSON scanning and field decoding", r"JSONScanner|MessageFields|JSONNumber|decode"),
    ("JSON writing", r"JSONWriter|iso8601|Float64ToASCII|format"),
    ("retain/release", r"swift_retain|swift_release|swift_bridgeObjectRe|RefCounts|swift_isUniquely"),
    ("malloc, free, memmove", r"malloc|free|dallocx|mallocx|swift_allocObject|swift_deallocObject|memmove|memcpy|memset"
     r"|swift_slowAlloc|_swift_release_dealloc|je_"),
    ("async runtime", r"swift_task|swift::AsyncTask|StackAllocator|TaskAllocator|swift_job|runJob|Executor"
     r"|swift_continuation|TaskGroup|ProcessOutOfLineJob|getCurrent|__tls_get_addr"),
    ("generic metadata and value witnesses", r"Metadata|getCache|ValueWitnesses|swift_getWitnessTable|tuple_|Vwcp|VWOc"
     r"|Vwxx|Vwet|Vwst|VwCP|getEnumTag"),
    ("hashing, dictionaries and sets", r"Hasher|Dictionary|_NativeSet|_NativeDictionary|Set|hashValue|find"),
    ("exclusivity checks", r"AccessSet|swift_beginAccess|swift_endAccess"),
    ("clock", r"clock_gettime"),
]


def samples(path):
    """Yields each sample's stack, innermost frame first, kernel frames marked."""
    stack = []
    with open(path, errors="replace") as text:
        for line in text:
            line = line.rstrip("\n")
            if not line.strip() or not line[0] in "\t ":
                if stack:
                    yield stack
                stack = []
                continue
            fields = line.strip().split(None, 1)
            symbol = fields[1] if len(fields) > 1 else ""
            stack.append(("[k] " if fields[0].startswith("ffffffff") else "") + symbol)
    if stack:
        yield stack


def main():
    parts = [(name, re.compile(rule)) for name, rule in PARTS]
    kinds = [(name, re.compile(rule)) for name, rule in KINDS]
    by_part, by_kind, total = collections.Counter(), collections.Counter(), 0
    for stack in samples(sys.argv[1]):
        total += 1
        part = next((name for frame in stack for name, rule in parts if rule.search(frame)), "no stage frame")
        by_part[part] += 1
        leaf = stack[0]
        kind = "kernel" if leaf.startswith("[k] ") else next(
            (name for name, rule in kinds if rule.search(leaf)), "stage, bus, runner and ledger code itself")
        by_kind[kind] += 1
    for title, counts in (("part", by_part), ("kind of work", by_kind)):
        print(f"{title:45s} share of {total} samples")
        for name, count in counts.most_common():
            print(f"{name:45s} {100 * count / total:5.1f} %")
        print()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""scikit-learn baselines for `swift run -c release bench`, on the bench's own pairs.

Reads JSONL pairs {"reference", "answer"} and prints one JSON object:
  pair_method_pairs_per_s  the original system's method: TfidfVectorizer().fit([ref, ans])
                           and cosine, per pair
  corpus_idf_pairs_per_s   one vectorizer fitted on all references, then batch transform
                           and row-wise cosine
Single thread, best of three rounds.
"""
import json
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity


def main() -> None:
    pairs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    refs = [p["reference"].replace("\\n", "\n") for p in pairs]
    answers = [p["answer"].replace("\\n", "\n") for p in pairs]

    def per_pair() -> None:
        for r, a in zip(refs, answers):
            v = TfidfVectorizer().fit([r, a])
            m = v.transform([r, a])
            cosine_similarity(m[0], m[1])

    vectorizer = TfidfVectorizer().fit(refs)

    def corpus() -> None:
        r = vectorizer.transform(refs)
        a = vectorizer.transform(answers)
        np.asarray(r.multiply(a).sum(axis=1))  # rows are L2-normalized: the dot is the cosine

    def best(fn, n: int) -> float:
        rates = []
        for _ in range(3):
            t = time.perf_counter()
            fn()
            rates.append(n / (time.perf_counter() - t))
        return max(rates)

    sample = min(len(pairs), 1000)
    refs_all, answers_all = refs, answers
    refs, answers = refs_all[:sample], answers_all[:sample]
    pair_rate = best(per_pair, sample)
    refs, answers = refs_all, answers_all
    corpus_rate = best(corpus, len(pairs))
    print(json.dumps({"pair_method_pairs_per_s": pair_rate, "corpus_idf_pairs_per_s": corpus_rate, "pairs": len(pairs)}))


if __name__ == "__main__":
    main()

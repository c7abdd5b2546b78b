#!/usr/bin/env python3
"""Builds Tests/ScoringTests/Fixtures/pair_parity.jsonl, the scikit-learn parity fixture.

Veredicto's `pair` IDF mode must give the same score as

    v = TfidfVectorizer()            # lowercase=True, token_pattern r"(?u)\\b\\w\\w+\\b",
    v.fit([reference, answer])       # smooth_idf=True, norm="l2", sublinear_tf=False
    X = v.transform([reference, answer])
    score = cosine_similarity(X[0], X[1])[0, 0]

with two special cases: if neither text has a token, fit() raises ValueError
("empty vocabulary") and the expected score is 0.0; if only one text has no
token its vector is all zero and the cosine is 0.0.

Input: data/sample/yahoo_sample.csv (run scripts/make_sample.py first), read
with the csv module; each literal two-character backslash-n becomes a real
newline. From it this script builds (reference, answer) pairs that look like
what an LLM-answer-vs-best-answer comparison sees: paraphrase-like variants,
LLM-style answers, other answers of the same and of another category, the
answer itself, empty and one-word answers, non-ASCII text with upper-case
accented, Greek and Cyrillic letters, 2,000+ word texts, underscores and
digits, and punctuation-only text.

Output: one JSON object per line, {"reference": ..., "answer": ..., "score": ...},
UTF-8, ensure_ascii=False, score written with full precision (repr).
Characters are restricted to ASCII, Latin-1 Supplement, Latin Extended-A,
Greek, Cyrillic, General Punctuation (without U+2028/U+2029, which some line
readers treat as line breaks), Currency Symbols and single-code-point emoji;
every character must lower-case to one code point of the same UTF-8 length
and no upper-case sigma is used (Python's str.lower() maps a final capital
sigma to U+03C2 depending on context). The script checks this and fails
otherwise.

Deterministic: fixed seed, no set iteration. Needs scikit-learn.
Usage: python3 scripts/make_parity_fixture.py [input.csv] [output.jsonl]
"""
import csv
import json
import os
import random
import re
import sys
import unicodedata

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

SEED = 31337
MIN_PAIRS = 1200
LONG_WORDS = 2000

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_IN = os.path.join(ROOT, "data", "sample", "yahoo_sample.csv")
DEFAULT_OUT = os.path.join(ROOT, "Tests", "ScoringTests", "Fixtures", "pair_parity.jsonl")

# ---------------------------------------------------------------------------
# Scoring (the reference implementation)
# ---------------------------------------------------------------------------

EMPTY_VOCAB_ERRORS = 0
MAX_DOT_VS_COSINE = 0.0


def sklearn_score(reference, answer):
    global EMPTY_VOCAB_ERRORS, MAX_DOT_VS_COSINE
    v = TfidfVectorizer(lowercase=True, token_pattern=r"(?u)\b\w\w+\b", smooth_idf=True, norm="l2",
                        sublinear_tf=False, use_idf=True, dtype=np.float64)
    try:
        v.fit([reference, answer])
    except ValueError as e:
        if "empty vocabulary" not in str(e):
            raise
        EMPTY_VOCAB_ERRORS += 1
        return 0.0
    X = v.transform([reference, answer])
    score = float(cosine_similarity(X[0], X[1])[0, 0])
    dot = float(X[0].multiply(X[1]).sum())
    MAX_DOT_VS_COSINE = max(MAX_DOT_VS_COSINE, abs(dot - score))
    return score


# ---------------------------------------------------------------------------
# Character policy
# ---------------------------------------------------------------------------


def allowed_char(ch):
    o = ord(ch)
    if ch == "\n" or 0x20 <= o < 0x7F:
        return True
    if 0xA0 <= o <= 0x17F:           # Latin-1 Supplement (printable part), Latin Extended-A
        return True
    if 0x370 <= o <= 0x4FF:          # Greek and Coptic, Cyrillic
        return True
    if 0x2000 <= o <= 0x206F:        # General Punctuation
        return o not in (0x2028, 0x2029)
    if 0x20A0 <= o <= 0x20CF:        # Currency Symbols
        return True
    if 0x1F300 <= o <= 0x1FAFF:      # emoji (single code points only; no modifiers/ZWJ/VS)
        return unicodedata.category(ch) == "So"
    return False


def check_text(s):
    for ch in s:
        if not allowed_char(ch):
            raise ValueError("character U+%04X not allowed in fixture text: %r" % (ord(ch), s[:80]))
        if unicodedata.category(ch) in ("Mn", "Mc", "Me") or unicodedata.combining(ch):
            raise ValueError("combining mark U+%04X: %r" % (ord(ch), s[:80]))
        low = ch.lower()
        if len(low) != 1 or len(low.encode("utf-8")) != len(ch.encode("utf-8")):
            raise ValueError("U+%04X lower-cases to %r: %r" % (ord(ch), low, s[:80]))
        if ch == "\u03a3":
            raise ValueError("capital sigma (context-dependent lower-casing): %r" % s[:80])
    if s.lower() != "".join(ch.lower() for ch in s):
        raise ValueError("context-dependent lower-casing in %r" % s[:80])
    if unicodedata.normalize("NFC", s) != s:
        raise ValueError("text not NFC: %r" % s[:80])


def safe_upper(s):
    """Upper-cases only characters whose upper case is one code point that lower-cases back."""
    out = []
    for ch in s:
        up = ch.upper()
        if len(up) == 1 and up.lower() == ch and ch not in "σς" and \
                len(up.encode("utf-8")) == len(ch.encode("utf-8")):
            out.append(up)
        else:
            out.append(ch)
    return "".join(out)


# ---------------------------------------------------------------------------
# Text material
# ---------------------------------------------------------------------------

LLM_OPENERS = [
    "Great question! ",
    "Short answer: ",
    "Here's a clear explanation:\n\n",
    "In short, ",
    "Sure — here is an overview.\n\n",
    "**Answer:** ",
    "Good question. Let me break it down.\n\n",
    "That's a common question, and the answer depends on a few things.\n\n",
]
LLM_CLOSERS = [
    "\n\nI hope this helps!",
    "\n\nLet me know if you need more detail.",
    " In summary, it depends on your situation.",
    "\n\n**Bottom line:** start small and be consistent.",
    " If you're unsure, consult a professional.",
    "\n\nFeel free to ask a follow-up question 🙂",
]
SYNONYMS = {
    "big": "large", "help": "assist", "good": "great", "usually": "typically", "people": "individuals",
    "quickly": "rapidly", "start": "begin", "about": "approximately", "use": "utilize", "important": "crucial",
    "problem": "issue", "really": "truly", "lot": "great deal", "get": "obtain", "make": "create",
    "show": "demonstrate", "try": "attempt", "need": "require", "buy": "purchase", "enough": "sufficient",
    "often": "frequently", "fine": "acceptable", "kids": "children", "job": "position", "money": "funds",
    "doctor": "physician", "free": "no-cost", "hard": "difficult", "easy": "simple", "best": "optimal",
}
NON_ASCII_WORDS = [
    ("café", "CAFÉ", "Café"), ("zürich", "ZÜRICH", "Zürich"), ("δέλτα", "ΔΈΛΤΑ", "Δέλτα"),
    ("ωmega", "ΩMEGA", "Ωmega"), ("москва", "МОСКВА", "Москва"), ("ñandú", "ÑANDÚ", "Ñandú"),
    ("são paulo", "SÃO PAULO", "São Paulo"), ("naïve", "NAÏVE", "Naïve"), ("łódź", "ŁÓDŹ", "Łódź"),
    ("dvořák", "DVOŘÁK", "Dvořák"), ("øresund", "ØRESUND", "Øresund"), ("œuvre", "ŒUVRE", "Œuvre"),
    ("façade", "FAÇADE", "Façade"), ("résumé", "RÉSUMÉ", "Résumé"), ("žižkov", "ŽIŽKOV", "Žižkov"),
    ("ελλάδα", "ΕΛΛΆΔΑ", "Ελλάδα"), ("αθήνα", "ΑΘΉΝΑ", "Αθήνα"), ("привет", "ПРИВЕТ", "Привет"),
    ("спасибо", "СПАСИБО", "Спасибо"), ("ёлка", "ЁЛКА", "Ёлка"), ("київ", "КИЇВ", "Київ"),
    ("ærøskøbing", "ÆRØSKØBING", "Ærøskøbing"), ("crème brûlée", "CRÈME BRÛLÉE", "Crème brûlée"),
    ("ångström", "ÅNGSTRÖM", "Ångström"), ("ğüzel", "ĞÜZEL", "Ğüzel"), ("þorn", "ÞORN", "Þorn"),
    ("ïle", "ÏLE", "Ïle"), ("ŵales", "ŴALES", "Ŵales"), ("ÿvette", "ŸVETTE", "Ÿvette"),
    ("φίλε", "ΦΊΛΕ", "Φίλε"),
]
SYMBOL_SNIPPETS = [
    "€100", "20 °C", "5×3 = 15", "10 ÷ 2", "1½ cups", "12 m²", "x² + y²", "don’t", "it’s", "“quoted”",
    "‘single’", "well—maybe", "10–15%", "wait…", "great🙂", "👍", "🎉 congrats", "10\u00a0km", "5\u2009kg",
    "co\u00adoperate", "zero\u200bwidth", "1ª edición", "nº 5", "5 µm", "E = mc²", "£20", "¥500", "₹250",
    "±3", "¿qué?", "¡olé!", "«bonjour»", "‹ok›", "§ 12", "© 2007", "• item", "†", "‰", "—", "…",
    "10³", "¼ mile", "³",
]
UNDERSCORE_DIGIT_TOKENS = [
    "user_name", "__init__", "snake_case", "_private", "my_config.ini", "file_v2_final.txt", "COVID_19",
    "x1", "2007", "3.14", "10,000", "1st", "v2.0", "a_b_c", "_", "__", "___", "0x1F", "42", "007", "1e10",
    "a1", "9am", "12:30", "192.168.0.1", "http://example.com/a_b?c=1&d_e=2", "TOTAL_COUNT", "tmp2", "_a",
    "a_", "1_000_000", "2nd_try", "__main__", "MAX_RETRIES=3", "x_1 + x_2", "i18n", "mp3", "B2B", "24/7",
]
PUNCT_ONLY = [
    "!!!", "...", "?", "?!?!", "— – …", "“ ” ‘ ’", ":-)", "***", "€ ° × ÷", "🙂🙂", "- - -", "(((", "#",
    "@ # $ % ^ & *", "a", "I", "a b c d", "x y z", "😀 👍 🎉", ". . .", "’", "½", "²", "1 2 3", "_",
    "\n\n", "   ", "—\n—", "«»", "• • •", "‰ ‱", "¿?", "¡!", "a) b) c)", "5", "é", "Ж", "Ω",
]
SINGLE_WORDS_ABSENT = ["banana", "Zürich", "МОСКВА", "ΔΈΛΤΑ", "café", "user_name", "2007", "x²", "42", "OK",
                       "naïve", "Ñandú", "spasibo", "quantum", "€uro", "e-mail"]

SENT_SPLIT = re.compile(r"(?<=[.!?…])\s+")
WORD_SPLIT = re.compile(r"(\w+)")


def sentences(text):
    return [s for s in SENT_SPLIT.split(text.strip()) if s]


def n_words(text):
    return len(text.split())


def load_rows(path):
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        for rec in csv.reader(fh):
            if len(rec) != 4:
                raise ValueError("expected 4 fields, got %d: %r" % (len(rec), rec[:2]))
            cls = int(rec[0])
            title, content, answer = (f.replace("\\n", "\n") for f in rec[1:])
            rows.append(dict(cls=cls, title=title, content=content, answer=answer))
    return rows


# ---------------------------------------------------------------------------
# Answer transformations
# ---------------------------------------------------------------------------


def edit_words(rng, text, p_upper, p_replace, vocab):
    parts = WORD_SPLIT.split(text)
    for i in range(1, len(parts), 2):
        w = parts[i]
        r = rng.random()
        if r < p_upper:
            parts[i] = safe_upper(w) if rng.random() < 0.6 else safe_upper(w[:1]) + w[1:]
        elif r < p_upper + p_replace:
            low = w.lower()
            if low in SYNONYMS:
                parts[i] = SYNONYMS[low]
            elif vocab and rng.random() < 0.5:
                parts[i] = rng.choice(vocab)
    return "".join(parts)


def variant(rng, text, same_cat_sentences, vocab):
    """A paraphrase-like rewrite: shuffled/dropped/added sentences, case changes, replaced words."""
    sents = sentences(text)
    if len(sents) > 1 and rng.random() < 0.6:
        rng.shuffle(sents)
    drops = rng.randint(0, min(2, max(0, len(sents) - 1)))
    for _ in range(drops):
        sents.pop(rng.randrange(len(sents)))
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        if same_cat_sentences:
            sents.insert(rng.randint(0, len(sents)), rng.choice(same_cat_sentences))
    out = " ".join(sents) if rng.random() < 0.7 else "\n".join(sents)
    out = edit_words(rng, out, p_upper=rng.choice([0.0, 0.03, 0.08, 0.2]),
                     p_replace=rng.choice([0.0, 0.05, 0.1, 0.25]), vocab=vocab)
    if rng.random() < 0.4:
        out = rng.choice(LLM_OPENERS) + out
    if rng.random() < 0.35:
        out = out + rng.choice(LLM_CLOSERS)
    return out


def llm_answer(rng, row, key_sentences, same_cat_sentences, vocab):
    """An LLM-style answer: restates the question, reuses some facts, adds generic structure."""
    title = row["title"].rstrip("?!. ")
    parts = []
    intro = rng.choice([
        "Regarding your question (\"%s\"): " % title,
        "You asked: %s? " % title,
        "",
        "Great question! ",
        "To answer \"%s\": " % title,
    ])
    body = []
    if key_sentences:
        body.extend(rng.sample(key_sentences, min(len(key_sentences), rng.randint(1, 2))))
    body.extend(rng.sample(same_cat_sentences, min(len(same_cat_sentences), rng.randint(1, 5))))
    rng.shuffle(body)
    style = rng.random()
    if style < 0.35:
        parts.append(intro + "Here are the key points:\n\n" + "\n".join("- " + s for s in body))
    elif style < 0.55:
        parts.append(intro + "\n\n".join("%d. %s" % (i + 1, s) for i, s in enumerate(body)))
    else:
        parts.append(intro + " ".join(body))
    if rng.random() < 0.6:
        parts.append(rng.choice(LLM_CLOSERS).strip())
    out = "\n\n".join(parts)
    return edit_words(rng, out, p_upper=0.02, p_replace=rng.choice([0.0, 0.05, 0.15]), vocab=vocab)


def inject(rng, text, snippets, k):
    words = text.split(" ")
    for _ in range(k):
        words.insert(rng.randint(0, len(words)), rng.choice(snippets))
    return " ".join(words)


def inject_non_ascii(rng, ref, ans):
    """Puts the same non-ASCII words into both texts, in different letter cases, plus symbols."""
    k = rng.randint(1, 4)
    picks = [rng.choice(NON_ASCII_WORDS) for _ in range(k)]
    ref_words = ref.split(" ")
    ans_words = ans.split(" ")
    for forms in picks:
        ref_words.insert(rng.randint(0, len(ref_words)), rng.choice(forms))
        if rng.random() < 0.8:
            ans_words.insert(rng.randint(0, len(ans_words)), rng.choice(forms))
    ref = " ".join(ref_words)
    ans = " ".join(ans_words)
    ref = inject(rng, ref, SYMBOL_SNIPPETS, rng.randint(0, 3))
    ans = inject(rng, ans, SYMBOL_SNIPPETS, rng.randint(0, 3))
    if rng.random() < 0.3:
        ans = ans.replace("'", "’")
    if rng.random() < 0.25:
        ans = safe_upper(ans)
    return ref, ans


def long_text(rng, pool, start_words=LONG_WORDS):
    order = list(range(len(pool)))
    rng.shuffle(order)
    chunks = []
    words = 0
    for i in order:
        chunks.append(pool[i])
        words += n_words(pool[i])
        if words >= start_words:
            break
    while words < start_words:  # pool too small: repeat with variation
        extra = pool[rng.randrange(len(pool))]
        chunks.append(extra)
        words += n_words(extra)
    return "\n\n".join(chunks)


# ---------------------------------------------------------------------------
# Pair building
# ---------------------------------------------------------------------------


def build_pairs(rows):
    rng = random.Random(SEED)
    by_cat = {}
    for r in rows:
        by_cat.setdefault(r["cls"], []).append(r)
    cats = sorted(by_cat)
    cat_sentences = {c: [s for r in by_cat[c] for s in sentences(r["answer"])] for c in cats}
    cat_vocab = {c: sorted({w for s in cat_sentences[c] for w in re.findall(r"[A-Za-z]{4,}", s)}) for c in cats}
    answers_nonempty = [r for r in rows if r["answer"].strip()]

    pairs = []   # (kind, reference, answer)
    seen = set()

    def add(kind, ref, ans):
        key = (ref, ans)
        if key in seen:
            return
        seen.add(key)
        pairs.append((kind, ref, ans))

    # 1. best answer vs paraphrase-like variant (one per row, two for every third row)
    for i, r in enumerate(rows):
        c = r["cls"]
        for _ in range(2 if i % 3 == 0 else 1):
            add("variant", r["answer"], variant(rng, r["answer"], cat_sentences[c], cat_vocab[c]))

    # 2. best answer vs LLM-style answer built from the question and same-category facts
    for r in rng.sample(rows, 260):
        c = r["cls"]
        others = [s for s in cat_sentences[c] if s not in r["answer"]]
        add("llm", r["answer"], llm_answer(rng, r, sentences(r["answer"]), others, cat_vocab[c]))

    # 3. best answer vs another answer of the same category
    for r in rng.sample(rows, 220):
        other = rng.choice([o for o in by_cat[r["cls"]] if o is not r])
        add("same_category", r["answer"], other["answer"])

    # 4. best answer vs an answer from another category
    for r in rng.sample(rows, 140):
        oc = rng.choice([c for c in cats if c != r["cls"]])
        add("other_category", r["answer"], rng.choice(by_cat[oc])["answer"])

    # 5. question (title + content) vs best answer
    for r in rng.sample(rows, 80):
        q = r["title"] + ("\n" + r["content"] if r["content"] else "")
        add("question", q, r["answer"])

    # 6. identical texts, and identical up to letter case / quote style
    for r in rng.sample(answers_nonempty, 40):
        add("self", r["answer"], r["answer"])
    for r in rng.sample(answers_nonempty, 25):
        add("self_upper", r["answer"], safe_upper(r["answer"]))
        add("self_lower", safe_upper(r["answer"]), r["answer"].lower())
    for r in rng.sample(answers_nonempty, 10):
        add("self_quotes", r["answer"], r["answer"].replace("'", "’").replace('"', "”"))

    # 7. empty answers and empty references
    for r in rng.sample(answers_nonempty, 12):
        add("empty", r["answer"], "")
        add("empty", "", r["answer"])
    for blank in ["", " ", "\n", "   \n\n  "]:
        add("empty", blank, "")
        add("empty", "", blank)
        add("empty", blank, "Yes, definitely.")

    # 8. single-word answers: present in the reference, absent, different case, too short to be a token
    for r in rng.sample(answers_nonempty, 45):
        toks = re.findall(r"(?u)\b\w\w+\b", r["answer"])
        if toks:
            w = rng.choice(toks)
            add("single_word", r["answer"], w)
            add("single_word", r["answer"], safe_upper(w) if rng.random() < 0.5 else w.capitalize())
        add("single_word", r["answer"], rng.choice(SINGLE_WORDS_ABSENT))
    for w in ["a", "I", "x", "é", "Ω", "½", "7"]:
        add("single_word", rng.choice(answers_nonempty)["answer"], w)
    for w in ["Yes", "No", "café", "CAFÉ", "ΔΈΛΤΑ", "δέλτα", "МОСКВА", "москва", "2007", "user_name", "x²", "m²"]:
        add("single_word_pair", w, w.lower())
        add("single_word_pair", w, "Yes")

    # 9. non-ASCII mixed into realistic pairs, with case differences so lower-casing matters
    for r in rng.sample(rows, 150):
        c = r["cls"]
        base_ans = variant(rng, r["answer"], cat_sentences[c], cat_vocab[c]) if rng.random() < 0.6 \
            else rng.choice(by_cat[c])["answer"]
        ref, ans = inject_non_ascii(rng, r["answer"], base_ans)
        add("non_ascii", ref, ans)

    # 10. long texts (2,000+ words): same category, half/half mixed, other category, variant, vs short
    for c in cats:
        pool = [r["answer"] for r in by_cat[c] if r["answer"].strip()]
        oc = cats[(cats.index(c) + 1) % len(cats)]
        other_pool = [r["answer"] for r in by_cat[oc] if r["answer"].strip()]
        a = long_text(rng, pool)
        add("long_same", a, long_text(rng, pool))
        for _ in range(2):
            mixed = rng.sample(pool, len(pool) // 2) + other_pool
            add("long_mixed", a, long_text(rng, mixed))
        add("long_other", a, long_text(rng, other_pool))
        add("long_variant", a, variant(rng, a, cat_sentences[c], cat_vocab[c]))
        add("long_short", a, rng.choice(pool))
        add("short_long", rng.choice(pool), long_text(rng, pool))

    # 11. underscores and digits
    for r in rng.sample(rows, 70):
        toks = [rng.choice(UNDERSCORE_DIGIT_TOKENS) for _ in range(rng.randint(1, 6))]
        ref = inject(rng, r["answer"], toks, len(toks))
        ans_toks = [t if rng.random() < 0.6 else (t.upper() if rng.random() < 0.5 else t.replace("_", " "))
                    for t in toks]
        ans = inject(rng, variant(rng, r["answer"], [], []), ans_toks, len(ans_toks))
        add("underscore_digit", ref, ans)
    for _ in range(15):
        a = " ".join(rng.choice(UNDERSCORE_DIGIT_TOKENS) for _ in range(rng.randint(1, 8)))
        b = " ".join(rng.choice(UNDERSCORE_DIGIT_TOKENS) for _ in range(rng.randint(1, 8)))
        add("underscore_digit_only", a, b)

    # 12. punctuation-only (no tokens at all) against punctuation and against text
    for i, p in enumerate(PUNCT_ONLY):
        q = PUNCT_ONLY[(i * 7 + 3) % len(PUNCT_ONLY)]
        add("punct_punct", p, q)
        r = rng.choice(answers_nonempty)["answer"]
        add("punct_text", p, r)
        add("text_punct", r, p)
    for _ in range(10):
        p = " ".join(rng.choice(PUNCT_ONLY) for _ in range(3))
        add("punct_word", p + " answer " + rng.choice(PUNCT_ONLY), "The answer is 42 " + rng.choice(PUNCT_ONLY))

    return pairs


def histogram(scores, bins=10):
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, max(0, int(s * bins)))] += 1
    return counts


def main():
    in_path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_IN
    out_path = sys.argv[2] if len(sys.argv) > 2 else DEFAULT_OUT
    rows = load_rows(in_path)
    pairs = build_pairs(rows)
    if len(pairs) < MIN_PAIRS:
        raise SystemExit("only %d pairs (need %d)" % (len(pairs), MIN_PAIRS))

    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    scores = []
    kinds = {}
    with open(out_path, "w", encoding="utf-8", newline="\n") as fh:
        for kind, ref, ans in pairs:
            check_text(ref)
            check_text(ans)
            s = sklearn_score(ref, ans)
            scores.append(s)
            kinds.setdefault(kind, []).append(s)
            fh.write(json.dumps({"reference": ref, "answer": ans, "score": s}, ensure_ascii=False) + "\n")

    with open(out_path, encoding="utf-8") as fh:
        n_lines = sum(1 for _ in fh)
    print("wrote %s: %d lines" % (out_path, n_lines))
    print("score histogram (10 bins over [0, 1]):")
    counts = histogram(scores)
    for b, n in enumerate(counts):
        print("  [%.1f, %.1f%s %5d %s" % (b / 10, (b + 1) / 10, "]" if b == 9 else ")", n, "#" * (n // 10)))
    print("  exactly 0.0: %d   >= 1 - 1e-12: %d   in [0.1, 0.6): %d"
          % (sum(1 for s in scores if s == 0.0), sum(1 for s in scores if s >= 1 - 1e-12),
             sum(1 for s in scores if 0.1 <= s < 0.6)))
    print("  min %r  max %r" % (min(scores), max(scores)))
    print("per kind (count, mean score):")
    for kind in sorted(kinds):
        v = kinds[kind]
        print("  %-22s %5d  %.3f" % (kind, len(v), sum(v) / len(v)))
    long_pairs = sum(1 for _, a, b in pairs if max(n_words(a), n_words(b)) >= LONG_WORDS)
    print("pairs with a %d+ word text: %d" % (LONG_WORDS, long_pairs))
    print("empty-vocabulary pairs (sklearn ValueError, score 0.0): %d" % EMPTY_VOCAB_ERRORS)
    print("max |dot(l2 rows) - cosine_similarity|: %r" % MAX_DOT_VS_COSINE)


if __name__ == "__main__":
    main()

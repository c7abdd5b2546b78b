// Internal declarations of the CScoring core, shared by its translation units.
#ifndef CSC_INTERNAL_H
#define CSC_INTERNAL_H

#include "csc.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define CSC_ALWAYS_INLINE inline __attribute__((always_inline))
#define CSC_LIKELY(x) __builtin_expect(!!(x), 1)
#define CSC_UNLIKELY(x) __builtin_expect(!!(x), 0)

#if defined(__x86_64__) || defined(_M_X64)
#define CSC_X86_64 1
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
#define CSC_ARM64 1
#endif

// Bytes of readable padding kept after every lowered text in the arena, so that term ids
// of short tokens load whole 8-byte words and kernels may read a whole vector.
#define CSC_PAD 64

// ---------------------------------------------------------------- Unicode tables
extern const uint8_t csc_bmp_word_bits[8192];
extern const uint32_t csc_astral_word_ranges[][2];
extern const size_t csc_astral_word_range_count;
extern const uint16_t csc_lower_2byte[1920];
extern const uint32_t csc_lower_multi[][2];
extern const size_t csc_lower_multi_count;

// ---------------------------------------------------------------- classification
// Masks of one 64-byte chunk, bit i for byte i: ASCII word bytes ([0-9A-Za-z_]), bytes
// >= 0x80, backslashes and 'n' (for the dataset's literal "\n" separator).
typedef struct csc_chunk_masks {
    uint64_t word;
    uint64_t high;
    uint64_t backslash;
    uint64_t letter_n;
} csc_chunk_masks;

typedef void (*csc_chunk_fn)(const uint8_t *src, uint8_t *dst, csc_chunk_masks *masks);
// The same for the last `avail` (< 64) bytes of a text, reading and writing no byte past
// them (AVX-512 masked loads and stores); the masks have no bit at or past `avail`.
typedef void (*csc_tail_fn)(const uint8_t *src, uint8_t *dst, size_t avail, csc_chunk_masks *masks);
// Returns false when the text has no byte >= 0x80 (then no run is a single multi-byte code
// point), true when it has or may have one.
typedef bool (*csc_classify_fn)(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits);

// Scalar, code point by code point, from `pos` (a code point boundary) until at least
// `limit`; sets word bits (the caller zeroed them) and writes lowered bytes. Returns the
// position after the last code point handled (>= limit, <= n). Defines the semantics.
size_t csc_classify_code_points(const uint8_t *src, size_t n, size_t pos, size_t limit,
                                uint8_t *dst, uint64_t *bits);
// Length of the valid UTF-8 sequence at src[i] (a byte >= 0x80), its code point in *cp;
// 0 when the bytes there are no valid sequence (a separator byte).
size_t csc_decode_code_point(const uint8_t *src, size_t n, size_t i, uint32_t *cp);
// Writes the lowered form of code point `cp` (`len` bytes at i) and sets its word bits.
void csc_classify_code_point(uint32_t cp, size_t len, const uint8_t *src, size_t i, uint8_t *dst, uint64_t *bits);
// Classifies the bytes >= 0x80 of the chunk at `start` (mask `high`), after the chunk's
// SIMD pass has lowered and classified its ASCII bytes and copied the others unchanged:
// first the code point begun in the previous chunk at `carried` (SIZE_MAX for none), then
// each sequence whose lead byte is in this chunk. A sequence running on past the chunk is
// left for the next chunk's call (its pass would copy the bytes there over the lowered
// ones): returns its lead byte's position, or SIZE_MAX.
size_t csc_classify_high_bytes(const uint8_t *src, size_t n, size_t start, uint64_t high, size_t carried,
                               uint8_t *dst, uint64_t *bits);

bool csc_classify_scalar(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits);
#if CSC_X86_64
bool csc_classify_sse2(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits);
bool csc_classify_sse42(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits);
bool csc_classify_avx2(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits);
bool csc_classify_avx512(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits);
#endif
#if CSC_ARM64
bool csc_classify_neon(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits);
#endif

/// The classifier of the active kernel.
csc_classify_fn csc_active_classifier(void);
#if CSC_X86_64
/// 1 when the CPU has BMI1, BMI2 and POPCNT (checked once).
int csc_cpu_has_bmi2(void);
/// 1 when the CPU has AVX-512 VBMI2, AVX-512BW, BMI1 and BMI2 (checked once).
int csc_cpu_has_vbmi2(void);
#endif

// Runs a SIMD chunk function over every 64-byte chunk: it lowers and classifies the ASCII
// bytes and copies the others unchanged, with no word bit. The bytes >= 0x80 of a chunk
// then go through the code point classifier one sequence at a time, so a text with a few
// of them (quotes, dashes, accented letters) keeps the SIMD pass for the rest of its chunk.
// Inlined into each kernel so the chunk function is inlined with that kernel's target
// attributes. The last, partial chunk goes through `tail` when the kernel has one, else
// through a zero-padded copy. Every word of `bits` is stored before any code point sets
// bits in it, and only a sequence's own bits are then added.
static CSC_ALWAYS_INLINE bool csc_classify_driver(const uint8_t *src, size_t n, uint8_t *dst,
                                                  uint64_t *bits, csc_chunk_fn chunk, csc_tail_fn tail) {
    bool high = false;         // the text has a byte >= 0x80
    size_t carried = SIZE_MAX; // lead byte of a sequence that runs on into the current chunk
    for (size_t start = 0; start < n; start += 64) {
        const size_t avail = n - start;
        csc_chunk_masks m;
        uint64_t live = ~0ULL;
        if (CSC_LIKELY(avail >= 64)) {
            chunk(src + start, dst + start, &m);
        } else if (tail) {
            tail(src + start, dst + start, avail, &m);
        } else {
            uint8_t in[64] __attribute__((aligned(64)));
            uint8_t out[64] __attribute__((aligned(64)));
            memset(in, 0, sizeof in);
            memcpy(in, src + start, avail);
            chunk(in, out, &m);
            memcpy(dst + start, out, avail);
            live = ~0ULL >> (64 - avail);
        }
        const uint64_t after_backslash = (start > 0 && src[start - 1] == '\\') ? 1u : 0u;
        const uint64_t sep = ((m.backslash << 1) | after_backslash) & m.letter_n;
        bits[start >> 6] = m.word & ~sep & live;
        if (CSC_UNLIKELY((m.high != 0) | (carried != SIZE_MAX))) {
            high = true;
            carried = csc_classify_high_bytes(src, n, start, m.high, carried, dst, bits);
        }
    }
    return high;
}

// ---------------------------------------------------------------- term ids
#define XXH_INLINE_ALL
#include <xxhash.h>

static CSC_ALWAYS_INLINE uint64_t csc_term_id_long(const uint8_t *token, size_t len) {
    const uint64_t h = XXH3_64bits(token, len);
    return h ? h : 1;
}

// Term id of a token followed by at least 8 readable bytes. Word characters are never
// NUL, so the zero-padded bytes of a token of up to 8 bytes identify it, and multiplying
// by an odd constant is a bijection: short tokens never collide, and their ids are never
// 0. Tables index by the id's high bits (Fibonacci hashing), which depend on every byte.
static CSC_ALWAYS_INLINE uint64_t csc_term_id_padded(const uint8_t *token, size_t len) {
    if (CSC_LIKELY(len <= 8)) {
        uint64_t v;
        memcpy(&v, token, 8);
        v &= ~0ULL >> (64 - 8 * len);
        return v * 0x9E3779B97F4A7C15ULL;
    }
    return csc_term_id_long(token, len);
}

// Term id of a token of 2 to 8 bytes followed by at least 8 readable bytes
// (csc_term_id_padded without the length test).
static CSC_ALWAYS_INLINE uint64_t csc_term_id_short(const uint8_t *token, size_t len) {
    uint64_t v;
    memcpy(&v, token, 8);
    return (v & (~0ULL >> (64 - 8 * len))) * 0x9E3779B97F4A7C15ULL;
}

// The first 8 bytes of a token followed by at least 8 readable bytes.
static CSC_ALWAYS_INLINE uint64_t csc_load_word(const uint8_t *token) {
    uint64_t v;
    memcpy(&v, token, 8);
    return v;
}

// Term id of a token of 2 to 8 bytes from its first 8 bytes `v` (loaded once, also for
// csc_is_single_code_point).
static CSC_ALWAYS_INLINE uint64_t csc_term_id_word(uint64_t v, size_t len) {
    return (v & (~0ULL >> (64 - 8 * len))) * 0x9E3779B97F4A7C15ULL;
}

// Home slot of a term in a table of 2^(64 - shift) slots.
static CSC_ALWAYS_INLINE size_t csc_home_slot(uint64_t term, unsigned shift) { return (size_t)(term >> shift); }

// Shift for a power-of-two capacity (at least 2).
static inline unsigned csc_shift_for(size_t capacity) { return (unsigned)__builtin_clzll((unsigned long long)capacity) + 1; }

// ---------------------------------------------------------------- runs of word bytes
// Byte length of a single code point by its lead byte, indexed by lead >> 3 (0 for ASCII
// and continuation bytes, which never equal a token's length of two or more).
static const uint8_t csc_lead_length[32] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                            0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 3, 3, 4, 0};

// A token is two or more word *characters*: a run of 2 to 4 bytes that is one multi-byte
// code point (its lead byte announces exactly the run's length) is a single character.
// Runs hold only whole, valid code points, so the lead byte tells. Branch-free.
static CSC_ALWAYS_INLINE bool csc_is_token(const uint8_t *text, size_t start, size_t len) {
    return (len >= 2) & (csc_lead_length[text[start] >> 3] != len);
}

// The same test from the token's first bytes `v` (lead byte in the low byte), so the
// byte is not loaded again.
static CSC_ALWAYS_INLINE bool csc_is_single_code_point(uint64_t v, size_t len) {
    return csc_lead_length[(uint8_t)v >> 3] == len;
}

// Calls emit(ctx, start, length) for every maximal run of set bits of two bytes or more
// (the caller drops a run that is a single code point, csc_is_token). Per 64-bit word of
// bits, the masks of run starts and run ends are computed at once; runs of one byte (one
// ASCII character, never a token) are dropped from both masks, so the loop walks the
// remaining starts and ends in step (s1 < e1 < s2 < e2 ...), two bit scans a token, and
// single letters ("a", "I") cost no mispredicted branch.
typedef void (*csc_run_fn)(void *ctx, size_t start, size_t length);

static CSC_ALWAYS_INLINE void csc_scan_runs(const uint64_t *bits, size_t n, void *ctx, csc_run_fn emit) {
    const size_t words = (n + 63) / 64;
    size_t open = 0;          // start of a run still open at the previous word's end
    bool is_open = false;
    uint64_t carry = 0;       // last bit of the previous word
    for (size_t w = 0; w < words; w++) {
        const uint64_t x = bits[w];
        const uint64_t next_first = (w + 1 < words) ? (bits[w + 1] & 1) : 0;
        uint64_t starts = x & ~((x << 1) | carry);
        uint64_t ends = x & ~((x >> 1) | (next_first << 63));  // last byte of each run
        carry = x >> 63;
        const uint64_t single = starts & ends;  // runs of one byte
        starts ^= single;
        ends ^= single;
        const size_t base = w * 64;
        if (is_open) {
            if (!ends) continue;  // the run covers this whole word
            const size_t end = base + (size_t)__builtin_ctzll(ends) + 1;
            ends &= ends - 1;
            emit(ctx, open, end - open);
            is_open = false;
        }
        while (ends) {
            const size_t start = base + (size_t)__builtin_ctzll(starts);
            const size_t end = base + (size_t)__builtin_ctzll(ends) + 1;
            starts &= starts - 1;
            ends &= ends - 1;
            emit(ctx, start, end - start);
        }
        if (starts) {  // runs on into the next word
            open = base + (size_t)__builtin_ctzll(starts);
            is_open = true;
        }
    }
}

// Room past the listed runs that the 32-position stores of csc_list_runs_vbmi2 may write.
#define CSC_RUN_SLACK 32
// Longest text whose run positions fit 16 bits (ends are one past a run's last byte).
#define CSC_LIST_MAX 65535

// ---------------------------------------------------------------- arena
// The term table of a call: an open-addressing index of 32-bit slots (4 KiB for a typical
// pair, where 16-byte slots took 16 KiB) pointing into a dense array of entries in
// first-seen order, which the cosine then reads front to back.
typedef struct csc_term_entry {
    uint64_t term;      // 0 in entry 0, the sentinel an empty slot points to
    uint32_t count[2];  // occurrences in the reference (0) and the answer (1)
} csc_term_entry;

struct csc_arena {
    uint8_t *lowered;        // lowered text of side 0, then side 1, each followed by CSC_PAD bytes
    size_t lowered_cap;
    uint64_t *bits;          // word bits of the text being tokenized
    size_t bits_cap;         // in words
    uint16_t *run_starts;    // runs of the text being tokenized, for texts of up to
    uint16_t *run_ends;      // CSC_LIST_MAX bytes (csc_list_runs_vbmi2; csc_list_runs_avx2
                             // lists starts and last bytes into run_starts, twice as long)
    size_t runs_cap;
    uint32_t *slots;         // index: 0 = empty, else the term's entry; all 0 between calls
    size_t slot_cap;         // power of two
    size_t mask;             // slot mask in use for the current call
    unsigned shift;          // home slot = term >> shift, for the current call
    csc_term_entry *entries; // entry 0 is the sentinel; terms from 1 on; counts 0 between calls
    size_t entry_count;      // 1 + the distinct terms of the current call
    size_t entry_cap;
    uint64_t allocations;
};

// Makes room for texts of the given total length; returns false when out of memory.
bool csc_arena_reserve(csc_arena *arena, size_t ref_len, size_t ans_len);
// Lowers, classifies and counts the terms of `text` into side `side` of the term table.
// The arena must have been reserved for it; `lowered` is where its lowered copy goes.
void csc_arena_count_terms(csc_arena *arena, const uint8_t *text, size_t n, uint8_t *lowered, int side);
// Empties the index of the current call (the caller has zeroed the counts it read).
static inline void csc_arena_clear_index(csc_arena *a) {
    memset(a->slots, 0, (a->mask + 1) * sizeof *a->slots);
    a->entry_count = 1;
}
// Empties the term table of the current call.
void csc_arena_clear_terms(csc_arena *arena);

// ---------------------------------------------------------------- model
typedef struct csc_model_slot {
    uint64_t term;  // 0 = empty
    double idf;
} csc_model_slot;

struct csc_model {
    uint64_t documents;
    uint64_t term_count;
    uint64_t *terms;  // sorted ascending
    uint32_t *dfs;
    csc_model_slot *slots;
    size_t mask;
    unsigned shift;
    double unknown_idf;
};

static CSC_ALWAYS_INLINE const csc_model_slot *csc_model_find(const csc_model *m, uint64_t term) {
    size_t i = csc_home_slot(term, m->shift);
    for (;;) {
        const csc_model_slot *s = &m->slots[i];
        if (s->term == term || s->term == 0) return s;
        i = (i + 1) & m->mask;
    }
}

#endif

// The arena: lowered text, word bits and the term table, grown to the largest input seen
// and reused. A call uses an index sized to its texts, not the largest one seen, and
// empties only that part, so a call costs nothing for the table's size.
#include "csc_internal.h"

#include <stdlib.h>

#if CSC_X86_64
#include <immintrin.h>
#define CSC_VBMI2 __attribute__((target("avx512f,avx512bw,avx512vbmi2,bmi,bmi2")))
#endif

csc_arena *csc_arena_new(void) {
    csc_arena *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->allocations = 1;
    if (!csc_arena_reserve(a, 4096, 4096)) {
        csc_arena_free(a);
        return NULL;
    }
    return a;
}

void csc_arena_free(csc_arena *a) {
    if (!a) return;
    free(a->lowered);
    free(a->bits);
    free(a->run_starts);
    free(a->run_ends);
    free(a->slots);
    free(a->entries);
    free(a);
}

uint64_t csc_arena_allocations(const csc_arena *a) { return a->allocations; }

const uint8_t *csc_arena_lowered(const csc_arena *a) { return a->lowered; }

// The smallest power of two >= x, at least 64 (one bit scan: this runs for every pair).
static size_t next_pow2(size_t x) {
    if (x <= 64) return 64;
    return (size_t)1 << (64 - __builtin_clzll((unsigned long long)(x - 1)));
}

// Upper bound of the tokens in n bytes: a token has two bytes at least, and two tokens
// are separated by one byte at least.
static CSC_ALWAYS_INLINE size_t max_tokens(size_t n) { return (n + 1) / 3; }

bool csc_arena_reserve(csc_arena *a, size_t ref_len, size_t ans_len) {
    const size_t lowered_need = ref_len + ans_len + 2 * CSC_PAD;
    if (lowered_need > a->lowered_cap) {
        const size_t cap = lowered_need + lowered_need / 2;
        uint8_t *p = realloc(a->lowered, cap);
        if (!p) return false;
        a->lowered = p;
        a->lowered_cap = cap;
        a->allocations++;
    }
    const size_t longest = ref_len > ans_len ? ref_len : ans_len;
    const size_t bits_need = (longest + 63) / 64 + 1;
    if (bits_need > a->bits_cap) {
        const size_t cap = bits_need + bits_need / 2;
        uint64_t *p = realloc(a->bits, cap * sizeof *p);
        if (!p) return false;
        a->bits = p;
        a->bits_cap = cap;
        a->allocations++;
    }
    const size_t runs_need = max_tokens(longest) + CSC_RUN_SLACK;
    if (runs_need > a->runs_cap) {
        const size_t cap = runs_need + runs_need / 2;
        // Twice as many starts: csc_list_runs_avx2 lists starts and last bytes in one array.
        uint16_t *rs = realloc(a->run_starts, 2 * cap * sizeof *rs);
        if (!rs) return false;
        a->run_starts = rs;
        uint16_t *re = realloc(a->run_ends, cap * sizeof *re);
        if (!re) return false;
        a->run_ends = re;
        a->runs_cap = cap;
        a->allocations += 2;
    }
    const size_t tokens = max_tokens(ref_len) + max_tokens(ans_len) + 2;
    if (tokens > a->entry_cap) {
        const size_t cap = tokens + tokens / 2;
        csc_term_entry *p = calloc(cap, sizeof *p);  // zero counts, sentinel term 0
        if (!p) return false;
        free(a->entries);  // empty between calls, nothing to move
        a->entries = p;
        a->entry_cap = cap;
        a->allocations++;
    }
    // Load factor at most 1/2 even if every token is distinct.
    const size_t slots_need = next_pow2(2 * tokens);
    if (slots_need > a->slot_cap) {
        uint32_t *p = calloc(slots_need, sizeof *p);
        if (!p) return false;
        free(a->slots);  // empty between calls, nothing to move
        a->slots = p;
        a->slot_cap = slots_need;
        a->allocations++;
    }
    // A table sized to this call keeps the working set small for short texts.
    a->mask = slots_need - 1;
    a->shift = csc_shift_for(slots_need);
    a->entry_count = 1;
    return true;
}

// The counting state lives in a local struct while a text is scanned: the arena's fields
// are 64-bit like the term ids stored through `entries`, so the compiler would otherwise
// reload them after every store.
typedef struct count_ctx {
    uint32_t *slots;
    csc_term_entry *entries;
    size_t mask;
    unsigned shift;
    size_t count;
    int side;
} count_ctx;

static CSC_ALWAYS_INLINE void count_term(count_ctx *c, uint64_t term) {
    uint32_t *slots = c->slots;
    csc_term_entry *entries = c->entries;
    size_t i = csc_home_slot(term, c->shift);
    // An empty slot holds 0, and entry 0 is given the term looked for: one comparison ends
    // the probe both on the term and on an empty slot, with no branch on which it was (as
    // unpredictable as the text). At the index's low load the first probe almost always
    // ends it, so this loop is predicted.
    entries[0].term = term;
    uint32_t e;
    for (;;) {
        e = slots[i];
        if (entries[e].term == term) break;
        i = (i + 1) & c->mask;
    }
    const size_t is_new = e == 0;
    const size_t at = is_new ? c->count : e;
    slots[i] = (uint32_t)at;
    // The term goes to the next free entry either way (kept only when new), so no store
    // address but the count's waits for the probe's loads.
    entries[c->count].term = term;
    entries[at].count[c->side]++;
    c->count += is_new;
}

typedef struct count_run_ctx {
    count_ctx table;
    const uint8_t *lowered;
} count_run_ctx;

static CSC_ALWAYS_INLINE void count_run(void *p, size_t start, size_t len) {
    count_run_ctx *c = p;
    const uint8_t *token = c->lowered + start;
    // Both tests are rare outcomes in text (one code point of 2-4 bytes, a word longer
    // than 8 bytes), so they are predicted.
    const uint64_t v = csc_load_word(token);
    if (CSC_UNLIKELY(csc_is_single_code_point(v, len))) return;
    const uint64_t term = CSC_LIKELY(len <= 8) ? csc_term_id_word(v, len) : csc_term_id_long(token, len);
    count_term(&c->table, term);
}

static CSC_ALWAYS_INLINE void scan_and_count(csc_arena *a, size_t n, uint8_t *lowered, int side) {
    count_run_ctx ctx = {{a->slots, a->entries, a->mask, a->shift, a->entry_count, side}, lowered};
    csc_scan_runs(a->bits, n, &ctx, count_run);
    a->entry_count = ctx.table.count;
    a->entries[0].term = 0;
}

// The scan and the table are scalar code; with the AVX2 and AVX-512 kernels, on a CPU with
// BMI1/BMI2 and POPCNT (every one of those in practice), they run as built with those too:
// bit scans and lowest-bit clears in one instruction, shifts by a register without a flags
// dependency. Texts of up to CSC_LIST_MAX bytes then list their runs first (with VBMI2 by
// csc_list_runs_vbmi2, else by csc_list_runs_avx2) and count them in one loop; longer ones
// walk the bits word by word (csc_scan_runs). The scalar, SSE2 and SSE4.2 kernels keep the
// baseline build and the walk, so forcing them also tests it.
#if CSC_X86_64
static CSC_ALWAYS_INLINE int use_bmi2(void) {
    const int k = csc_kernel_active();
    return (k == CSC_KERNEL_AVX2 || k == CSC_KERNEL_AVX512) && csc_cpu_has_bmi2();
}

// With the AVX-512 kernel, on a CPU with AVX-512 VBMI2 (and BMI1/BMI2), runs are listed by
// compressing vectors of positions (csc_list_runs_vbmi2) for texts that fit 16-bit positions.
static CSC_ALWAYS_INLINE int use_vbmi2(void) {
    return csc_kernel_active() == CSC_KERNEL_AVX512 && csc_cpu_has_vbmi2();
}

// Lists the start and the end (one past the last byte) of every maximal run of set bits
// of two bytes or more, as 16-bit positions (n <= CSC_LIST_MAX); returns their number. The
// run start and end masks of each 64-bit word are those of csc_scan_runs (runs of one byte
// dropped from both); vpcompressw packs the positions their bits select, 32 at a time, so
// a word costs the same whatever number of runs it holds: no loop exit or branch per word
// depends on the text. Starts and ends alternate through the text (s1 < e1 < s2 ...), so
// the k-th start and the k-th end are one run even across word boundaries. Each store
// writes 32 positions whatever the count: `starts` and `ends` need (n + 1) / 3 +
// CSC_RUN_SLACK entries.
CSC_VBMI2 static size_t csc_list_runs_vbmi2(const uint64_t *bits, size_t n, uint16_t *starts, uint16_t *ends) {
    const size_t words = (n + 63) / 64;
    const __m512i iota = _mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
                                          15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i step32 = _mm512_set1_epi16(32), step64 = _mm512_set1_epi16(64), one = _mm512_set1_epi16(1);
    __m512i low = iota;                                 // positions of bits 0-31 of word w
    uint64_t carry = 0;
    size_t s = 0, e = 0;
    for (size_t w = 0; w < words; w++) {
        const uint64_t x = bits[w];
        const uint64_t next_first = (w + 1 < words) ? (bits[w + 1] & 1) : 0;
        uint64_t first = x & ~((x << 1) | carry);
        uint64_t last = x & ~((x >> 1) | (next_first << 63));
        carry = x >> 63;
        const uint64_t single = first & last;
        first ^= single;
        last ^= single;
        const __m512i high = _mm512_add_epi16(low, step32);
        _mm512_storeu_si512((void *)(starts + s), _mm512_maskz_compress_epi16((__mmask32)first, low));
        s += (size_t)__builtin_popcount((uint32_t)first);
        _mm512_storeu_si512((void *)(starts + s), _mm512_maskz_compress_epi16((__mmask32)(first >> 32), high));
        s += (size_t)__builtin_popcount((uint32_t)(first >> 32));
        _mm512_storeu_si512((void *)(ends + e), _mm512_maskz_compress_epi16((__mmask32)last, _mm512_add_epi16(low, one)));
        e += (size_t)__builtin_popcount((uint32_t)last);
        _mm512_storeu_si512((void *)(ends + e), _mm512_maskz_compress_epi16((__mmask32)(last >> 32), _mm512_add_epi16(high, one)));
        e += (size_t)__builtin_popcount((uint32_t)(last >> 32));
        low = _mm512_add_epi16(low, step64);
    }
    return e;
}

// Byte k of entry m is the position of the k-th lowest set bit of the byte value m.
static const uint64_t csc_bit_positions[256] = {
    0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000001ULL, 0x0000000000000100ULL,
    0x0000000000000002ULL, 0x0000000000000200ULL, 0x0000000000000201ULL, 0x0000000000020100ULL,
    0x0000000000000003ULL, 0x0000000000000300ULL, 0x0000000000000301ULL, 0x0000000000030100ULL,
    0x0000000000000302ULL, 0x0000000000030200ULL, 0x0000000000030201ULL, 0x0000000003020100ULL,
    0x0000000000000004ULL, 0x0000000000000400ULL, 0x0000000000000401ULL, 0x0000000000040100ULL,
    0x0000000000000402ULL, 0x0000000000040200ULL, 0x0000000000040201ULL, 0x0000000004020100ULL,
    0x0000000000000403ULL, 0x0000000000040300ULL, 0x0000000000040301ULL, 0x0000000004030100ULL,
    0x0000000000040302ULL, 0x0000000004030200ULL, 0x0000000004030201ULL, 0x0000000403020100ULL,
    0x0000000000000005ULL, 0x0000000000000500ULL, 0x0000000000000501ULL, 0x0000000000050100ULL,
    0x0000000000000502ULL, 0x0000000000050200ULL, 0x0000000000050201ULL, 0x0000000005020100ULL,
    0x0000000000000503ULL, 0x0000000000050300ULL, 0x0000000000050301ULL, 0x0000000005030100ULL,
    0x0000000000050302ULL, 0x0000000005030200ULL, 0x0000000005030201ULL, 0x0000000503020100ULL,
    0x0000000000000504ULL, 0x0000000000050400ULL, 0x0000000000050401ULL, 0x0000000005040100ULL,
    0x0000000000050402ULL, 0x0000000005040200ULL, 0x0000000005040201ULL, 0x0000000504020100ULL,
    0x0000000000050403ULL, 0x0000000005040300ULL, 0x0000000005040301ULL, 0x0000000504030100ULL,
    0x0000000005040302ULL, 0x0000000504030200ULL, 0x0000000504030201ULL, 0x0000050403020100ULL,
    0x0000000000000006ULL, 0x0000000000000600ULL, 0x0000000000000601ULL, 0x0000000000060100ULL,
    0x0000000000000602ULL, 0x0000000000060200ULL, 0x0000000000060201ULL, 0x0000000006020100ULL,
    0x0000000000000603ULL, 0x0000000000060300ULL, 0x0000000000060301ULL, 0x0000000006030100ULL,
    0x0000000000060302ULL, 0x0000000006030200ULL, 0x0000000006030201ULL, 0x0000000603020100ULL,
    0x0000000000000604ULL, 0x0000000000060400ULL, 0x0000000000060401ULL, 0x0000000006040100ULL,
    0x0000000000060402ULL, 0x0000000006040200ULL, 0x0000000006040201ULL, 0x0000000604020100ULL,
    0x0000000000060403ULL, 0x0000000006040300ULL, 0x0000000006040301ULL, 0x0000000604030100ULL,
    0x0000000006040302ULL, 0x0000000604030200ULL, 0x0000000604030201ULL, 0x0000060403020100ULL,
    0x0000000000000605ULL, 0x0000000000060500ULL, 0x0000000000060501ULL, 0x0000000006050100ULL,
    0x0000000000060502ULL, 0x0000000006050200ULL, 0x0000000006050201ULL, 0x0000000605020100ULL,
    0x0000000000060503ULL, 0x0000000006050300ULL, 0x0000000006050301ULL, 0x0000000605030100ULL,
    0x0000000006050302ULL, 0x0000000605030200ULL, 0x0000000605030201ULL, 0x0000060503020100ULL,
    0x0000000000060504ULL, 0x0000000006050400ULL, 0x0000000006050401ULL, 0x0000000605040100ULL,
    0x0000000006050402ULL, 0x0000000605040200ULL, 0x0000000605040201ULL, 0x0000060504020100ULL,
    0x0000000006050403ULL, 0x0000000605040300ULL, 0x0000000605040301ULL, 0x0000060504030100ULL,
    0x0000000605040302ULL, 0x0000060504030200ULL, 0x0000060504030201ULL, 0x0006050403020100ULL,
    0x0000000000000007ULL, 0x0000000000000700ULL, 0x0000000000000701ULL, 0x0000000000070100ULL,
    0x0000000000000702ULL, 0x0000000000070200ULL, 0x0000000000070201ULL, 0x0000000007020100ULL,
    0x0000000000000703ULL, 0x0000000000070300ULL, 0x0000000000070301ULL, 0x0000000007030100ULL,
    0x0000000000070302ULL, 0x0000000007030200ULL, 0x0000000007030201ULL, 0x0000000703020100ULL,
    0x0000000000000704ULL, 0x0000000000070400ULL, 0x0000000000070401ULL, 0x0000000007040100ULL,
    0x0000000000070402ULL, 0x0000000007040200ULL, 0x0000000007040201ULL, 0x0000000704020100ULL,
    0x0000000000070403ULL, 0x0000000007040300ULL, 0x0000000007040301ULL, 0x0000000704030100ULL,
    0x0000000007040302ULL, 0x0000000704030200ULL, 0x0000000704030201ULL, 0x0000070403020100ULL,
    0x0000000000000705ULL, 0x0000000000070500ULL, 0x0000000000070501ULL, 0x0000000007050100ULL,
    0x0000000000070502ULL, 0x0000000007050200ULL, 0x0000000007050201ULL, 0x0000000705020100ULL,
    0x0000000000070503ULL, 0x0000000007050300ULL, 0x0000000007050301ULL, 0x0000000705030100ULL,
    0x0000000007050302ULL, 0x0000000705030200ULL, 0x0000000705030201ULL, 0x0000070503020100ULL,
    0x0000000000070504ULL, 0x0000000007050400ULL, 0x0000000007050401ULL, 0x0000000705040100ULL,
    0x0000000007050402ULL, 0x0000000705040200ULL, 0x0000000705040201ULL, 0x0000070504020100ULL,
    0x0000000007050403ULL, 0x0000000705040300ULL, 0x0000000705040301ULL, 0x0000070504030100ULL,
    0x0000000705040302ULL, 0x0000070504030200ULL, 0x0000070504030201ULL, 0x0007050403020100ULL,
    0x0000000000000706ULL, 0x0000000000070600ULL, 0x0000000000070601ULL, 0x0000000007060100ULL,
    0x0000000000070602ULL, 0x0000000007060200ULL, 0x0000000007060201ULL, 0x0000000706020100ULL,
    0x0000000000070603ULL, 0x0000000007060300ULL, 0x0000000007060301ULL, 0x0000000706030100ULL,
    0x0000000007060302ULL, 0x0000000706030200ULL, 0x0000000706030201ULL, 0x0000070603020100ULL,
    0x0000000000070604ULL, 0x0000000007060400ULL, 0x0000000007060401ULL, 0x0000000706040100ULL,
    0x0000000007060402ULL, 0x0000000706040200ULL, 0x0000000706040201ULL, 0x0000070604020100ULL,
    0x0000000007060403ULL, 0x0000000706040300ULL, 0x0000000706040301ULL, 0x0000070604030100ULL,
    0x0000000706040302ULL, 0x0000070604030200ULL, 0x0000070604030201ULL, 0x0007060403020100ULL,
    0x0000000000070605ULL, 0x0000000007060500ULL, 0x0000000007060501ULL, 0x0000000706050100ULL,
    0x0000000007060502ULL, 0x0000000706050200ULL, 0x0000000706050201ULL, 0x0000070605020100ULL,
    0x0000000007060503ULL, 0x0000000706050300ULL, 0x0000000706050301ULL, 0x0000070605030100ULL,
    0x0000000706050302ULL, 0x0000070605030200ULL, 0x0000070605030201ULL, 0x0007060503020100ULL,
    0x0000000007060504ULL, 0x0000000706050400ULL, 0x0000000706050401ULL, 0x0000070605040100ULL,
    0x0000000706050402ULL, 0x0000070605040200ULL, 0x0000070605040201ULL, 0x0007060504020100ULL,
    0x0000000706050403ULL, 0x0000070605040300ULL, 0x0000070605040301ULL, 0x0007060504030100ULL,
    0x0000070605040302ULL, 0x0007060504030200ULL, 0x0007060504030201ULL, 0x0706050403020100ULL,
};

#define CSC_AVX2_BMI __attribute__((target("avx2,bmi,bmi2,popcnt")))

// The same runs without AVX-512 (the AVX2 kernel, or AVX-512 without VBMI2), listed into one
// array: a run has two bytes or more, so its start and its last byte are different bits, and
// the starts and last bytes of the runs alternate through the text (s1 < l1 < s2 < l2 ...).
// Their mask is start ^ last (a one-byte run sets both, and drops out). Each 8 bits of it
// go out through the table of set-bit positions, widened to 16 bits and offset by the
// byte's position: eight positions a store whatever the count, so no branch follows the
// text. Run k is pos[2k] to pos[2k + 1] inclusive; `pos` needs 2 * ((n + 1) / 3) + 8
// entries. Returns the number of runs.
CSC_AVX2_BMI static size_t csc_list_runs_avx2(const uint64_t *bits, size_t n, uint16_t *pos) {
    const size_t words = (n + 63) / 64;
    const __m128i step8 = _mm_set1_epi16(8);
    __m128i base = _mm_setzero_si128();  // position of bit 8g of word w, in every lane
    uint64_t carry = 0;
    size_t k = 0;
    for (size_t w = 0; w < words; w++) {
        const uint64_t x = bits[w];
        const uint64_t next_first = (w + 1 < words) ? (bits[w + 1] & 1) : 0;
        const uint64_t first = x & ~((x << 1) | carry);
        const uint64_t last = x & ~((x >> 1) | (next_first << 63));
        carry = x >> 63;
        uint64_t marks = first ^ last;
        for (int g = 0; g < 8; g++) {
            const unsigned m = (unsigned)(marks & 0xff);
            const __m128i at = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)&csc_bit_positions[m]));
            _mm_storeu_si128((__m128i *)(pos + k), _mm_add_epi16(at, base));
            k += (size_t)__builtin_popcount(m);
            marks >>= 8;
            base = _mm_add_epi16(base, step8);
        }
    }
    return k / 2;
}
#endif

static void scan_and_count_generic(csc_arena *a, size_t n, uint8_t *lowered, int side) {
    scan_and_count(a, n, lowered, side);
}
#if CSC_X86_64
__attribute__((target("bmi,bmi2"))) static void scan_and_count_bmi2(csc_arena *a, size_t n, uint8_t *lowered, int side) {
    scan_and_count(a, n, lowered, side);
}
#endif

#if CSC_X86_64
// The token loop of the listed runs: run k starts at starts[k * stride] and ends at
// ends[k * stride] + last (1 when the ends are last bytes, 0 when one past). When the text
// has no byte >= 0x80 (`ascii`), no run is a single code point and the test is left out;
// the side is a constant of each copy.
static CSC_ALWAYS_INLINE void count_listed(count_run_ctx *ctx, const uint16_t *starts, const uint16_t *ends,
                                           size_t stride, size_t last, size_t runs, bool ascii, int side) {
    ctx->table.side = side;
    for (size_t k = 0; k < runs; k++) {
        const size_t start = starts[k * stride], len = (size_t)(ends[k * stride] - start) + last;
        const uint8_t *token = ctx->lowered + start;
        const uint64_t v = csc_load_word(token);
        if (!ascii && CSC_UNLIKELY(csc_is_single_code_point(v, len))) continue;
        const uint64_t term = CSC_LIKELY(len <= 8) ? csc_term_id_word(v, len) : csc_term_id_long(token, len);
        count_term(&ctx->table, term);
    }
}

// Counts the terms of the listed runs into the arena's table, through a copy of the token
// loop for each of ascii and side (constants there); inlined into each kernel's caller, so
// each copy is built for that caller's instruction set.
static CSC_ALWAYS_INLINE void count_all_listed(csc_arena *a, uint8_t *lowered, const uint16_t *starts,
                                               const uint16_t *ends, size_t stride, size_t last, size_t runs,
                                               int side, bool high) {
    count_run_ctx ctx = {{a->slots, a->entries, a->mask, a->shift, a->entry_count, side}, lowered};
    if (high) {
        if (side == 0) count_listed(&ctx, starts, ends, stride, last, runs, false, 0);
        else count_listed(&ctx, starts, ends, stride, last, runs, false, 1);
    } else {
        if (side == 0) count_listed(&ctx, starts, ends, stride, last, runs, true, 0);
        else count_listed(&ctx, starts, ends, stride, last, runs, true, 1);
    }
    a->entry_count = ctx.table.count;
    a->entries[0].term = 0;
}

CSC_VBMI2 static void scan_and_count_vbmi2(csc_arena *a, size_t n, uint8_t *lowered, int side, bool high) {
    const size_t runs = csc_list_runs_vbmi2(a->bits, n, a->run_starts, a->run_ends);
    count_all_listed(a, lowered, a->run_starts, a->run_ends, 1, 0, runs, side, high);
}

CSC_AVX2_BMI static void scan_and_count_avx2(csc_arena *a, size_t n, uint8_t *lowered, int side, bool high) {
    const size_t runs = csc_list_runs_avx2(a->bits, n, a->run_starts);
    count_all_listed(a, lowered, a->run_starts, a->run_starts + 1, 2, 1, runs, side, high);
}
#endif

void csc_arena_count_terms(csc_arena *a, const uint8_t *text, size_t n, uint8_t *lowered, int side) {
    const bool high = csc_active_classifier()(text, n, lowered, a->bits);
    memset(lowered + n, 0, CSC_PAD);
#if CSC_X86_64
    if (n <= CSC_LIST_MAX && use_vbmi2()) {
        scan_and_count_vbmi2(a, n, lowered, side, high);
        return;
    }
    if (n <= CSC_LIST_MAX && use_bmi2()) {
        scan_and_count_avx2(a, n, lowered, side, high);
        return;
    }
    if (use_bmi2()) {
        scan_and_count_bmi2(a, n, lowered, side);
        return;
    }
#endif
    scan_and_count_generic(a, n, lowered, side);
}

void csc_arena_clear_terms(csc_arena *a) {
    for (size_t e = 1; e < a->entry_count; e++) {
        a->entries[e].count[0] = 0;
        a->entries[e].count[1] = 0;
    }
    csc_arena_clear_index(a);
}

typedef struct collect_ctx {
    const uint8_t *lowered;
    csc_token *tokens;
    size_t capacity;
    size_t count;
} collect_ctx;

static CSC_ALWAYS_INLINE void collect_run(void *p, size_t start, size_t len) {
    collect_ctx *c = p;
    const uint8_t *token = c->lowered + start;
    const uint64_t v = csc_load_word(token);
    if (CSC_UNLIKELY(csc_is_single_code_point(v, len))) return;
    if (CSC_LIKELY(c->count < c->capacity)) {
        const uint64_t term = CSC_LIKELY(len <= 8) ? csc_term_id_word(v, len) : csc_term_id_long(token, len);
        c->tokens[c->count] = (csc_token){(uint32_t)start, (uint32_t)len, term};
    }
    c->count++;
}

static CSC_ALWAYS_INLINE size_t scan_and_collect(csc_arena *a, size_t n, csc_token *tokens, size_t capacity) {
    collect_ctx ctx = {a->lowered, tokens, capacity, 0};
    csc_scan_runs(a->bits, n, &ctx, collect_run);
    return ctx.count;
}

static size_t scan_and_collect_generic(csc_arena *a, size_t n, csc_token *tokens, size_t capacity) {
    return scan_and_collect(a, n, tokens, capacity);
}
#if CSC_X86_64
__attribute__((target("bmi,bmi2"))) static size_t scan_and_collect_bmi2(csc_arena *a, size_t n, csc_token *tokens,
                                                                         size_t capacity) {
    return scan_and_collect(a, n, tokens, capacity);
}
#endif

#if CSC_X86_64
// The tokens of the listed runs (`stride` and `last` as in count_listed).
static CSC_ALWAYS_INLINE size_t collect_listed(const csc_arena *a, const uint16_t *starts, const uint16_t *ends,
                                               size_t stride, size_t last, size_t runs, csc_token *tokens,
                                               size_t capacity, bool high) {
    if (high) {
        collect_ctx ctx = {a->lowered, tokens, capacity, 0};
        for (size_t k = 0; k < runs; k++) {
            const size_t start = starts[k * stride];
            collect_run(&ctx, start, (size_t)(ends[k * stride] - start) + last);
        }
        return ctx.count;
    }
    // No byte >= 0x80: every run is a token, so their number is known and the output's
    // room is checked once; start and length go out as one 64-bit store.
    const size_t out = runs < capacity ? runs : capacity;
    const uint8_t *lowered = a->lowered;
    for (size_t k = 0; k < out; k++) {
        const size_t start = starts[k * stride], len = (size_t)(ends[k * stride] - start) + last;
        const uint8_t *token = lowered + start;
        const uint64_t v = csc_load_word(token);
        const uint64_t term = CSC_LIKELY(len <= 8) ? csc_term_id_word(v, len) : csc_term_id_long(token, len);
        const uint64_t where = (uint64_t)start | (uint64_t)len << 32;
        memcpy(&tokens[k], &where, sizeof where);
        tokens[k].term = term;
    }
    return runs;
}

CSC_VBMI2 static size_t scan_and_collect_vbmi2(csc_arena *a, size_t n, csc_token *tokens, size_t capacity, bool high) {
    const size_t runs = csc_list_runs_vbmi2(a->bits, n, a->run_starts, a->run_ends);
    return collect_listed(a, a->run_starts, a->run_ends, 1, 0, runs, tokens, capacity, high);
}

CSC_AVX2_BMI static size_t scan_and_collect_avx2(csc_arena *a, size_t n, csc_token *tokens, size_t capacity, bool high) {
    const size_t runs = csc_list_runs_avx2(a->bits, n, a->run_starts);
    return collect_listed(a, a->run_starts, a->run_starts + 1, 2, 1, runs, tokens, capacity, high);
}
#endif

size_t csc_tokenize(csc_arena *a, const char *text, size_t n, csc_token *tokens, size_t capacity) {
    if (!csc_arena_reserve(a, n, 0)) return SIZE_MAX;
    const bool high = csc_active_classifier()((const uint8_t *)text, n, a->lowered, a->bits);
    memset(a->lowered + n, 0, CSC_PAD);
#if CSC_X86_64
    if (n <= CSC_LIST_MAX && use_vbmi2()) return scan_and_collect_vbmi2(a, n, tokens, capacity, high);
    if (n <= CSC_LIST_MAX && use_bmi2()) return scan_and_collect_avx2(a, n, tokens, capacity, high);
    if (use_bmi2()) return scan_and_collect_bmi2(a, n, tokens, capacity);
#endif
    return scan_and_collect_generic(a, n, tokens, capacity);
}

// TF-IDF cosine of two texts through one shared term table: each distinct term holds its
// count in both texts, so the sparse dot product is one pass over the table's entries,
// with no sorting and no per-pair allocation.
#include "csc_internal.h"

#include <math.h>

#if CSC_X86_64
#include <immintrin.h>
#endif

// Pair mode, scikit-learn's smooth IDF on two documents: ln((1 + 2) / (1 + df)) + 1, so
// a term in both texts weighs 1 and a term in one text 1 + ln(1.5). All sums but the
// one-sided norms are integers, computed exactly.
typedef struct pair_sums {
    uint64_t dot, ref_shared, ans_shared, ref_all, ans_all;
} pair_sums;

#if CSC_X86_64
// The sums of entries [1, count) eight at a time: two 64-byte loads hold four entries each,
// one permute gathers the eight count words (reference count low, answer count high), and
// 32x32-bit multiplies give exact 64-bit products. Counts are zeroed by masked stores of
// the count words. The last entries (fewer than eight) are left to the scalar loop.
#define CSC_AVX512F __attribute__((target("avx512f")))
CSC_AVX512F static size_t pair_sums_avx512(csc_term_entry *entries, size_t count, pair_sums *out) {
    const __m512i odd = _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1);
    const __m512i zero = _mm512_setzero_si512();
    __m512i dot = zero, ref_shared = zero, ans_shared = zero, ref_all = zero, ans_all = zero;
    size_t e = 1;
    for (; e + 8 <= count; e += 8) {
        uint64_t *p = (uint64_t *)(void *)&entries[e];
        const __m512i lo = _mm512_loadu_si512((const void *)p), hi = _mm512_loadu_si512((const void *)(p + 8));
        const __m512i counts = _mm512_permutex2var_epi64(lo, odd, hi);
        const __m512i r = counts;                            // low 32 bits: reference count
        const __m512i q = _mm512_srli_epi64(counts, 32);     // answer count
        const __mmask8 shared = _mm512_test_epi64_mask(r, _mm512_set1_epi64(0xFFFFFFFF)) &
                                _mm512_test_epi64_mask(q, q);
        const __m512i rr = _mm512_mul_epu32(r, r), qq = _mm512_mul_epu32(q, q);
        dot = _mm512_add_epi64(dot, _mm512_mul_epu32(r, q));
        ref_all = _mm512_add_epi64(ref_all, rr);
        ans_all = _mm512_add_epi64(ans_all, qq);
        ref_shared = _mm512_mask_add_epi64(ref_shared, shared, ref_shared, rr);
        ans_shared = _mm512_mask_add_epi64(ans_shared, shared, ans_shared, qq);
        _mm512_mask_storeu_epi64((void *)p, 0xAA, zero);
        _mm512_mask_storeu_epi64((void *)(p + 8), 0xAA, zero);
    }
    out->dot = (uint64_t)_mm512_reduce_add_epi64(dot);
    out->ref_shared = (uint64_t)_mm512_reduce_add_epi64(ref_shared);
    out->ans_shared = (uint64_t)_mm512_reduce_add_epi64(ans_shared);
    out->ref_all = (uint64_t)_mm512_reduce_add_epi64(ref_all);
    out->ans_all = (uint64_t)_mm512_reduce_add_epi64(ans_all);
    return e;
}
#endif

static double cosine_pair(csc_arena *a) {
    pair_sums sums = {0, 0, 0, 0, 0};
    csc_term_entry *entries = a->entries;
    const size_t count = a->entry_count;
    size_t first = 1;
#if CSC_X86_64
    if (csc_kernel_active() == CSC_KERNEL_AVX512) first = pair_sums_avx512(entries, count, &sums);
#endif
    uint64_t dot = sums.dot, ref_shared = sums.ref_shared, ans_shared = sums.ans_shared;
    uint64_t ref_all = sums.ref_all, ans_all = sums.ans_all;
    for (size_t e = first; e < count; e++) {
        const uint64_t r = entries[e].count[0], q = entries[e].count[1];
        // Branch-free: whether a term is shared is as unpredictable as the text.
        const uint64_t shared = (uint64_t)((r != 0) & (q != 0));
        dot += r * q;
        ref_all += r * r;
        ans_all += q * q;
        ref_shared += shared * r * r;
        ans_shared += shared * q * q;
        // Zero the counts on the way (they must be zero between calls).
        entries[e].count[0] = 0;
        entries[e].count[1] = 0;
    }
    csc_arena_clear_index(a);
    const uint64_t ref_only = ref_all - ref_shared, ans_only = ans_all - ans_shared;
    if (ref_all == 0 || ans_all == 0) return 0.0;
    const double idf1 = 1.0 + log(1.5);
    const double idf1_sq = idf1 * idf1;
    const double ref_norm_sq = (double)ref_shared + idf1_sq * (double)ref_only;
    const double ans_norm_sq = (double)ans_shared + idf1_sq * (double)ans_only;
    return (double)dot / (sqrt(ref_norm_sq) * sqrt(ans_norm_sq));
}

// Corpus mode: IDF of each distinct term from the model. The model's slots are prefetched
// for all terms first, so their cache misses overlap.
static double cosine_corpus(csc_arena *a, const csc_model *m) {
    csc_term_entry *entries = a->entries;
    const size_t count = a->entry_count;
    for (size_t e = 1; e < count; e++) {
        __builtin_prefetch(&m->slots[csc_home_slot(entries[e].term, m->shift)]);
    }
    double dot = 0, ref_sq = 0, ans_sq = 0;
    for (size_t e = 1; e < count; e++) {
        const double idf = csc_model_find(m, entries[e].term)->idf;
        const double r = (double)entries[e].count[0] * idf, q = (double)entries[e].count[1] * idf;
        dot += r * q;
        ref_sq += r * r;
        ans_sq += q * q;
        entries[e].count[0] = 0;
        entries[e].count[1] = 0;
    }
    csc_arena_clear_index(a);
    if (ref_sq == 0 || ans_sq == 0) return 0.0;
    return dot / (sqrt(ref_sq) * sqrt(ans_sq));
}

static CSC_ALWAYS_INLINE double score_one(csc_arena *a, const csc_model *m, const uint8_t *ref, size_t ref_len,
                                          const uint8_t *ans, size_t ans_len) {
    if (!csc_arena_reserve(a, ref_len, ans_len)) return NAN;
    csc_arena_count_terms(a, ref, ref_len, a->lowered, 0);
    csc_arena_count_terms(a, ans, ans_len, a->lowered + ref_len + CSC_PAD, 1);
    // Both empty the term table as they read it.
    const double score = m ? cosine_corpus(a, m) : cosine_pair(a);
    // Rounding can put the cosine of identical texts a hair above 1.
    return score > 1.0 ? 1.0 : score;
}

double csc_score(csc_arena *a, const csc_model *m, const char *reference, size_t reference_len,
                 const char *answer, size_t answer_len) {
    return score_one(a, m, (const uint8_t *)reference, reference_len, (const uint8_t *)answer, answer_len);
}

int csc_score_batch(csc_arena *a, const csc_model *m, const csc_pair *pairs, size_t count, double *scores) {
    int status = CSC_OK;
    for (size_t i = 0; i < count; i++) {
        const csc_pair *p = &pairs[i];
        scores[i] = score_one(a, m, (const uint8_t *)p->reference, p->reference_len,
                              (const uint8_t *)p->answer, p->answer_len);
        if (isnan(scores[i])) status = CSC_ERR_NOMEM;
    }
    return status;
}

int csc_score_batch_offsets(csc_arena *a, const csc_model *m, const uint8_t *base,
                            const uint64_t *ref_offsets, const uint32_t *ref_lengths,
                            const uint64_t *ans_offsets, const uint32_t *ans_lengths,
                            size_t count, double *scores) {
    int status = CSC_OK;
    for (size_t i = 0; i < count; i++) {
        scores[i] = score_one(a, m, base + ref_offsets[i], ref_lengths[i], base + ans_offsets[i], ans_lengths[i]);
        if (isnan(scores[i])) status = CSC_ERR_NOMEM;
    }
    return status;
}

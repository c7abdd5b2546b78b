// AVX-512BW kernel: one 64-byte vector per chunk; comparisons yield the 64-bit masks
// directly, and lowering is a masked add.
#include "csc_internal.h"

#if CSC_X86_64
#include <immintrin.h>

#define CSC_AVX512 __attribute__((target("avx512f,avx512bw")))

// Classifies the bytes of `b` selected by `live` (the others are zero) and stores their
// lowered form.
static CSC_ALWAYS_INLINE CSC_AVX512 void classify64(__m512i b, uint8_t *dst, __mmask64 live, csc_chunk_masks *m) {
    const __mmask64 upper = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(b, _mm512_set1_epi8('A')), _mm512_set1_epi8(26));
    const __mmask64 lower = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(b, _mm512_set1_epi8('a')), _mm512_set1_epi8(26));
    const __mmask64 digit = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(b, _mm512_set1_epi8('0')), _mm512_set1_epi8(10));
    const __mmask64 under = _mm512_cmpeq_epi8_mask(b, _mm512_set1_epi8('_'));
    _mm512_mask_storeu_epi8((void *)dst, live, _mm512_mask_add_epi8(b, upper, b, _mm512_set1_epi8(0x20)));
    m->word = (uint64_t)(upper | lower | digit | under);
    m->high = (uint64_t)_mm512_movepi8_mask(b);
    m->backslash = (uint64_t)_mm512_cmpeq_epi8_mask(b, _mm512_set1_epi8('\\'));
    m->letter_n = (uint64_t)_mm512_cmpeq_epi8_mask(b, _mm512_set1_epi8('n'));
}

static CSC_ALWAYS_INLINE CSC_AVX512 void chunk_avx512(const uint8_t *src, uint8_t *dst, csc_chunk_masks *m) {
    classify64(_mm512_loadu_si512((const void *)src), dst, ~(__mmask64)0, m);
}

// A masked load reads nothing past the text (and cannot fault there), and the bytes it
// leaves out are zero, which is no word byte, no high byte, no backslash and no 'n'.
static CSC_ALWAYS_INLINE CSC_AVX512 void tail_avx512(const uint8_t *src, uint8_t *dst, size_t avail,
                                                     csc_chunk_masks *m) {
    const __mmask64 live = (__mmask64)(~0ULL >> (64 - avail));
    classify64(_mm512_maskz_loadu_epi8(live, (const void *)src), dst, live, m);
}

CSC_AVX512 bool csc_classify_avx512(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits) {
    return csc_classify_driver(src, n, dst, bits, chunk_avx512, tail_avx512);
}
#endif

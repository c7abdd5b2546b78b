// AVX-512BW kernel: one 64-byte vector per chunk; comparisons yield the 64-bit masks
// directly, and lowering is a masked add.
#include "csc_internal.h"

#if CSC_X86_64
#include <immintrin.h>

#define CSC_AVX512 __attribute__((target("avx512f,avx512bw")))

static CSC_ALWAYS_INLINE CSC_AVX512 void chunk_avx512(const uint8_t *src, uint8_t *dst, csc_chunk_masks *m) {
    const __m512i b = _mm512_loadu_si512((const void *)src);
    const __mmask64 upper = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(b, _mm512_set1_epi8('A')), _mm512_set1_epi8(26));
    const __mmask64 lower = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(b, _mm512_set1_epi8('a')), _mm512_set1_epi8(26));
    const __mmask64 digit = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(b, _mm512_set1_epi8('0')), _mm512_set1_epi8(10));
    const __mmask64 under = _mm512_cmpeq_epi8_mask(b, _mm512_set1_epi8('_'));
    _mm512_storeu_si512((void *)dst, _mm512_mask_add_epi8(b, upper, b, _mm512_set1_epi8(0x20)));
    m->word = (uint64_t)(upper | lower | digit | under);
    m->high = (uint64_t)_mm512_movepi8_mask(b);
    m->backslash = (uint64_t)_mm512_cmpeq_epi8_mask(b, _mm512_set1_epi8('\\'));
    m->letter_n = (uint64_t)_mm512_cmpeq_epi8_mask(b, _mm512_set1_epi8('n'));
}

CSC_AVX512 void csc_classify_avx512(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits) {
    csc_classify_driver(src, n, dst, bits, chunk_avx512);
}
#endif

// SSE2 kernel: baseline on every x86-64 CPU. Range tests by the signed-compare trick:
// (int8)(b + 0x80 - lo) < (int8)(0x80 - lo + count) holds exactly when lo <= b < lo+count.
#include "csc_internal.h"

#if CSC_X86_64
#include <emmintrin.h>

static CSC_ALWAYS_INLINE __m128i in_range(__m128i b, uint8_t lo, uint8_t count) {
    const __m128i shifted = _mm_add_epi8(b, _mm_set1_epi8((char)(0x80 - lo)));
    return _mm_cmplt_epi8(shifted, _mm_set1_epi8((char)(0x80 + count)));
}

static CSC_ALWAYS_INLINE void chunk16(const uint8_t *src, uint8_t *dst, uint32_t *word, uint32_t *high,
                                      uint32_t *bs, uint32_t *nn) {
    const __m128i b = _mm_loadu_si128((const __m128i *)src);
    const __m128i upper = in_range(b, 'A', 26);
    const __m128i lower = in_range(b, 'a', 26);
    const __m128i digit = in_range(b, '0', 10);
    const __m128i under = _mm_cmpeq_epi8(b, _mm_set1_epi8('_'));
    const __m128i w = _mm_or_si128(_mm_or_si128(upper, lower), _mm_or_si128(digit, under));
    _mm_storeu_si128((__m128i *)dst, _mm_add_epi8(b, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
    *word = (uint32_t)_mm_movemask_epi8(w);
    *high = (uint32_t)_mm_movemask_epi8(b);
    *bs = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, _mm_set1_epi8('\\')));
    *nn = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, _mm_set1_epi8('n')));
}

static CSC_ALWAYS_INLINE void chunk_sse2(const uint8_t *src, uint8_t *dst, csc_chunk_masks *m) {
    uint32_t w[4], h[4], s[4], n[4];
    for (int k = 0; k < 4; k++) chunk16(src + 16 * k, dst + 16 * k, &w[k], &h[k], &s[k], &n[k]);
    m->word = (uint64_t)w[0] | (uint64_t)w[1] << 16 | (uint64_t)w[2] << 32 | (uint64_t)w[3] << 48;
    m->high = (uint64_t)h[0] | (uint64_t)h[1] << 16 | (uint64_t)h[2] << 32 | (uint64_t)h[3] << 48;
    m->backslash = (uint64_t)s[0] | (uint64_t)s[1] << 16 | (uint64_t)s[2] << 32 | (uint64_t)s[3] << 48;
    m->letter_n = (uint64_t)n[0] | (uint64_t)n[1] << 16 | (uint64_t)n[2] << 32 | (uint64_t)n[3] << 48;
}

bool csc_classify_sse2(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits) {
    return csc_classify_driver(src, n, dst, bits, chunk_sse2, NULL);
}
#endif

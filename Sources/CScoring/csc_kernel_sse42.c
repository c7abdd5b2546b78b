// SSE4.2 kernel: classifies word bytes with one PCMPESTRM range comparison
// ([0-9], [A-Z], [_], [a-z]) per 16 bytes. Explicit lengths, so NUL bytes do not stop it.
#include "csc_internal.h"

#if CSC_X86_64
#include <nmmintrin.h>

#define CSC_SSE42 __attribute__((target("sse4.2")))

static CSC_ALWAYS_INLINE CSC_SSE42 void chunk16(const uint8_t *src, uint8_t *dst, uint32_t *word,
                                                uint32_t *high, uint32_t *bs, uint32_t *nn) {
    const __m128i ranges = _mm_setr_epi8('0', '9', 'A', 'Z', '_', '_', 'a', 'z', 0, 0, 0, 0, 0, 0, 0, 0);
    const __m128i upper_range = _mm_setr_epi8('A', 'Z', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m128i b = _mm_loadu_si128((const __m128i *)src);
    const __m128i w = _mm_cmpestrm(ranges, 8, b, 16, _SIDD_UBYTE_OPS | _SIDD_CMP_RANGES | _SIDD_UNIT_MASK);
    const __m128i upper = _mm_cmpestrm(upper_range, 2, b, 16, _SIDD_UBYTE_OPS | _SIDD_CMP_RANGES | _SIDD_UNIT_MASK);
    _mm_storeu_si128((__m128i *)dst, _mm_add_epi8(b, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
    *word = (uint32_t)_mm_movemask_epi8(w);
    *high = (uint32_t)_mm_movemask_epi8(b);
    *bs = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, _mm_set1_epi8('\\')));
    *nn = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, _mm_set1_epi8('n')));
}

static CSC_ALWAYS_INLINE CSC_SSE42 void chunk_sse42(const uint8_t *src, uint8_t *dst, csc_chunk_masks *m) {
    uint32_t w[4], h[4], s[4], n[4];
    for (int k = 0; k < 4; k++) chunk16(src + 16 * k, dst + 16 * k, &w[k], &h[k], &s[k], &n[k]);
    m->word = (uint64_t)w[0] | (uint64_t)w[1] << 16 | (uint64_t)w[2] << 32 | (uint64_t)w[3] << 48;
    m->high = (uint64_t)h[0] | (uint64_t)h[1] << 16 | (uint64_t)h[2] << 32 | (uint64_t)h[3] << 48;
    m->backslash = (uint64_t)s[0] | (uint64_t)s[1] << 16 | (uint64_t)s[2] << 32 | (uint64_t)s[3] << 48;
    m->letter_n = (uint64_t)n[0] | (uint64_t)n[1] << 16 | (uint64_t)n[2] << 32 | (uint64_t)n[3] << 48;
}

CSC_SSE42 bool csc_classify_sse42(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits) {
    return csc_classify_driver(src, n, dst, bits, chunk_sse42, NULL);
}
#endif

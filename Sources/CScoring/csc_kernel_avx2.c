// AVX2 kernel: two 32-byte vectors per 64-byte chunk, range tests by the signed-compare
// trick (see csc_kernel_sse2.c).
#include "csc_internal.h"

#if CSC_X86_64
#include <immintrin.h>

#define CSC_AVX2 __attribute__((target("avx2")))

static CSC_ALWAYS_INLINE CSC_AVX2 __m256i in_range(__m256i b, uint8_t lo, uint8_t count) {
    const __m256i shifted = _mm256_add_epi8(b, _mm256_set1_epi8((char)(0x80 - lo)));
    return _mm256_cmpgt_epi8(_mm256_set1_epi8((char)(0x80 + count)), shifted);
}

// A mask the optimizer cannot see through. Otherwise it merges the two halves' byte masks
// into one 64-lane mask, which it then moves to a general register byte by byte.
static CSC_ALWAYS_INLINE uint32_t opaque(int mask) {
    uint32_t m = (uint32_t)mask;
    __asm__("" : "+r"(m));
    return m;
}

// Letters of either case in one range test: setting bit 5 maps 'A'-'Z' onto 'a'-'z' and
// no other byte below 0x80 into that range, and it is also the lowering of a letter.
static CSC_ALWAYS_INLINE CSC_AVX2 void chunk32(const uint8_t *src, uint8_t *dst, uint32_t *word,
                                               uint32_t *high, uint32_t *bs, uint32_t *nn) {
    const __m256i b = _mm256_loadu_si256((const __m256i *)src);
    const __m256i case_bit = _mm256_set1_epi8(0x20);
    const __m256i letter = in_range(_mm256_or_si256(b, case_bit), 'a', 26);
    const __m256i digit = in_range(b, '0', 10);
    const __m256i under = _mm256_cmpeq_epi8(b, _mm256_set1_epi8('_'));
    const __m256i w = _mm256_or_si256(letter, _mm256_or_si256(digit, under));
    _mm256_storeu_si256((__m256i *)dst, _mm256_or_si256(b, _mm256_and_si256(letter, case_bit)));
    *word = opaque(_mm256_movemask_epi8(w));
    *high = opaque(_mm256_movemask_epi8(b));
    *bs = opaque(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, _mm256_set1_epi8('\\'))));
    *nn = opaque(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, _mm256_set1_epi8('n'))));
}

static CSC_ALWAYS_INLINE CSC_AVX2 void chunk_avx2(const uint8_t *src, uint8_t *dst, csc_chunk_masks *m) {
    uint32_t w0, w1, h0, h1, s0, s1, n0, n1;
    chunk32(src, dst, &w0, &h0, &s0, &n0);
    chunk32(src + 32, dst + 32, &w1, &h1, &s1, &n1);
    m->word = (uint64_t)w0 | (uint64_t)w1 << 32;
    m->high = (uint64_t)h0 | (uint64_t)h1 << 32;
    m->backslash = (uint64_t)s0 | (uint64_t)s1 << 32;
    m->letter_n = (uint64_t)n0 | (uint64_t)n1 << 32;
}

CSC_AVX2 bool csc_classify_avx2(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits) {
    return csc_classify_driver(src, n, dst, bits, chunk_avx2, NULL);
}
#endif

// NEON kernel (arm64): four 16-byte vectors per chunk; byte masks are packed into a 64-bit
// mask by weighting each lane with its bit and adding pairwise.
#include "csc_internal.h"

#if CSC_ARM64
#include <arm_neon.h>

static CSC_ALWAYS_INLINE uint64_t movemask64(uint8x16_t a, uint8x16_t b, uint8x16_t c, uint8x16_t d) {
    static const uint8_t weights[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t w = vld1q_u8(weights);
    const uint8x16_t s0 = vpaddq_u8(vandq_u8(a, w), vandq_u8(b, w));
    const uint8x16_t s1 = vpaddq_u8(vandq_u8(c, w), vandq_u8(d, w));
    const uint8x16_t s2 = vpaddq_u8(s0, s1);
    const uint8x16_t s3 = vpaddq_u8(s2, s2);
    return vgetq_lane_u64(vreinterpretq_u64_u8(s3), 0);
}

static CSC_ALWAYS_INLINE void chunk_neon(const uint8_t *src, uint8_t *dst, csc_chunk_masks *m) {
    uint8x16_t word[4], high[4], bs[4], nn[4];
    for (int k = 0; k < 4; k++) {
        const uint8x16_t b = vld1q_u8(src + 16 * k);
        const uint8x16_t upper = vcltq_u8(vsubq_u8(b, vdupq_n_u8('A')), vdupq_n_u8(26));
        const uint8x16_t lower = vcltq_u8(vsubq_u8(b, vdupq_n_u8('a')), vdupq_n_u8(26));
        const uint8x16_t digit = vcltq_u8(vsubq_u8(b, vdupq_n_u8('0')), vdupq_n_u8(10));
        const uint8x16_t under = vceqq_u8(b, vdupq_n_u8('_'));
        vst1q_u8(dst + 16 * k, vaddq_u8(b, vandq_u8(upper, vdupq_n_u8(0x20))));
        word[k] = vorrq_u8(vorrq_u8(upper, lower), vorrq_u8(digit, under));
        high[k] = vcgeq_u8(b, vdupq_n_u8(0x80));
        bs[k] = vceqq_u8(b, vdupq_n_u8('\\'));
        nn[k] = vceqq_u8(b, vdupq_n_u8('n'));
    }
    m->word = movemask64(word[0], word[1], word[2], word[3]);
    m->high = movemask64(high[0], high[1], high[2], high[3]);
    m->backslash = movemask64(bs[0], bs[1], bs[2], bs[3]);
    m->letter_n = movemask64(nn[0], nn[1], nn[2], nn[3]);
}

bool csc_classify_neon(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits) {
    return csc_classify_driver(src, n, dst, bits, chunk_neon, NULL);
}
#endif

// The scalar classifier: defines what a word character is and how text is lowered.
//
// A byte sequence is decoded as UTF-8 code point by code point:
//  - ASCII: word characters are [0-9A-Za-z_]; 'A'-'Z' lower to 'a'-'z'. The 'n' of the
//    two-character sequence backslash + 'n' (the dataset's escaped newline) is a separator.
//  - Valid multi-byte sequences: a code point is a word character exactly when Python's
//    `re` matches it with `\w` (str.isalnum() or '_'), from tables generated out of
//    Python's Unicode database (scripts/gen_unicode_tables.py): exact for every code point,
//    so Latin-1, Greek, Cyrillic, CJK, the punctuation blocks and emoji all split as
//    scikit-learn splits them. Lowering follows str.lower() for every mapping that keeps
//    the UTF-8 length and yields one code point (all of Latin-1, Latin Extended, Greek,
//    Cyrillic, Armenian, Georgian, fullwidth...). The few mappings that change the byte
//    length or expand to two code points (U+0130 'İ', U+1E9E 'ẞ', U+2126 OHM SIGN, U+212A
//    KELVIN SIGN, U+212B ANGSTROM SIGN, U+023A/U+023E/U+2C62... ) keep their case.
//  - Invalid UTF-8 (stray continuation bytes, overlong forms, surrogates, truncated
//    sequences, bytes F5-FF) is a separator, byte by byte, as U+FFFD would be after a
//    replacing decode. Bytes are copied unchanged.
#include "csc_internal.h"

static CSC_ALWAYS_INLINE bool is_ascii_word(uint8_t b) {
    return (uint8_t)(b - '0') < 10 || (uint8_t)((b | 0x20) - 'a') < 26 || b == '_';
}

static bool is_word_code_point(uint32_t cp) {
    if (cp < 0x10000) return (csc_bmp_word_bits[cp >> 3] >> (cp & 7)) & 1;
    size_t lo = 0, hi = csc_astral_word_range_count;
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (cp < csc_astral_word_ranges[mid][0]) hi = mid;
        else if (cp > csc_astral_word_ranges[mid][1]) lo = mid + 1;
        else return true;
    }
    return false;
}

static uint32_t lower_multi(uint32_t cp) {
    size_t lo = 0, hi = csc_lower_multi_count;
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (cp < csc_lower_multi[mid][0]) hi = mid;
        else if (cp > csc_lower_multi[mid][0]) lo = mid + 1;
        else return csc_lower_multi[mid][1];
    }
    return cp;
}

static CSC_ALWAYS_INLINE bool is_continuation(uint8_t b) { return (b & 0xC0) == 0x80; }

static CSC_ALWAYS_INLINE void set_bits(uint64_t *bits, size_t pos, size_t len) {
    for (size_t k = pos; k < pos + len; k++) bits[k >> 6] |= 1ULL << (k & 63);
}

size_t csc_decode_code_point(const uint8_t *src, size_t n, size_t i, uint32_t *cp) {
    const uint8_t b0 = src[i];
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        if (i + 1 < n && is_continuation(src[i + 1])) {
            *cp = ((uint32_t)(b0 & 0x1F) << 6) | (src[i + 1] & 0x3F);
            return 2;
        }
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (i + 2 < n && is_continuation(src[i + 1]) && is_continuation(src[i + 2])) {
            const uint32_t v = ((uint32_t)(b0 & 0x0F) << 12) | ((uint32_t)(src[i + 1] & 0x3F) << 6) | (src[i + 2] & 0x3F);
            if (v >= 0x800 && (v < 0xD800 || v > 0xDFFF)) {
                *cp = v;
                return 3;
            }
        }
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (i + 3 < n && is_continuation(src[i + 1]) && is_continuation(src[i + 2]) &&
            is_continuation(src[i + 3])) {
            const uint32_t v = ((uint32_t)(b0 & 0x07) << 18) | ((uint32_t)(src[i + 1] & 0x3F) << 12) |
                               ((uint32_t)(src[i + 2] & 0x3F) << 6) | (src[i + 3] & 0x3F);
            if (v >= 0x10000 && v <= 0x10FFFF) {
                *cp = v;
                return 4;
            }
        }
    }
    return 0;
}

void csc_classify_code_point(uint32_t cp, size_t len, const uint8_t *src, size_t i, uint8_t *dst, uint64_t *bits) {
    uint32_t low = cp;
    if (len == 2) {
        const uint16_t m = csc_lower_2byte[cp - 0x80];
        if (m) low = m;
    } else {
        low = lower_multi(cp);
    }
    if (low == cp) {
        memcpy(dst + i, src + i, len);
    } else if (len == 2) {
        dst[i] = (uint8_t)(0xC0 | (low >> 6));
        dst[i + 1] = (uint8_t)(0x80 | (low & 0x3F));
    } else if (len == 3) {
        dst[i] = (uint8_t)(0xE0 | (low >> 12));
        dst[i + 1] = (uint8_t)(0x80 | ((low >> 6) & 0x3F));
        dst[i + 2] = (uint8_t)(0x80 | (low & 0x3F));
    } else {
        dst[i] = (uint8_t)(0xF0 | (low >> 18));
        dst[i + 1] = (uint8_t)(0x80 | ((low >> 12) & 0x3F));
        dst[i + 2] = (uint8_t)(0x80 | ((low >> 6) & 0x3F));
        dst[i + 3] = (uint8_t)(0x80 | (low & 0x3F));
    }
    // Python tokenizes the lowered text, so the lowered code point is classified.
    if (is_word_code_point(low)) set_bits(bits, i, len);
}

size_t csc_classify_code_points(const uint8_t *src, size_t n, size_t pos, size_t limit,
                                uint8_t *dst, uint64_t *bits) {
    size_t i = pos;
    while (i < limit) {
        const uint8_t b0 = src[i];
        if (b0 < 0x80) {
            const bool escaped_newline = b0 == 'n' && i > 0 && src[i - 1] == '\\';
            dst[i] = (uint8_t)(b0 - 'A') < 26 ? (uint8_t)(b0 + 0x20) : b0;
            if (is_ascii_word(b0) && !escaped_newline) bits[i >> 6] |= 1ULL << (i & 63);
            i += 1;
            continue;
        }
        uint32_t cp = 0;
        const size_t len = csc_decode_code_point(src, n, i, &cp);
        if (len == 0) {  // invalid: one separator byte
            dst[i] = b0;
            i += 1;
            continue;
        }
        csc_classify_code_point(cp, len, src, i, dst, bits);
        i += len;
    }
    return i;
}

size_t csc_classify_high_bytes(const uint8_t *src, size_t n, size_t start, uint64_t high, size_t carried,
                               uint8_t *dst, uint64_t *bits) {
    const size_t end = start + 64;
    size_t i = carried != SIZE_MAX ? carried : start + (size_t)__builtin_ctzll(high);
    for (;;) {
        uint32_t cp = 0;
        size_t len = csc_decode_code_point(src, n, i, &cp);
        if (len == 0) {
            len = 1;  // invalid: a separator byte, which the chunk's pass copied and left out
        } else {
            if (i + len > end) return i;  // runs on into the next chunk: after that chunk's pass
            csc_classify_code_point(cp, len, src, i, dst, bits);
        }
        const size_t done = i + len - start;  // bytes of this chunk handled
        if (done >= 64) return SIZE_MAX;
        high &= ~0ULL << done;
        if (!high) return SIZE_MAX;
        i = start + (size_t)__builtin_ctzll(high);
    }
}

bool csc_classify_scalar(const uint8_t *src, size_t n, uint8_t *dst, uint64_t *bits) {
    memset(bits, 0, ((n + 63) / 64) * sizeof(uint64_t));
    csc_classify_code_points(src, n, 0, n, dst, bits);
    return true;  // the reference: tokens are always checked as if the text had any byte
}

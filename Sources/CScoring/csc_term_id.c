// Term ids. Tokens of up to 8 bytes (most English words) are packed into one 64-bit word
// and mixed by a bijection, so they never collide; longer tokens go through XXH3 (64-bit,
// inlined from libxxhash's header), whose collisions are negligible at 2^-64.
#include "csc_internal.h"


uint64_t csc_term_id(const uint8_t *token, size_t len) {
    if (len == 0) return 1;
    if (len <= 8) {
        uint8_t padded[16] = {0};
        memcpy(padded, token, len);
        return csc_term_id_padded(padded, len);
    }
    return csc_term_id_long(token, len);
}

uint64_t csc_checksum(const void *bytes, size_t n);
uint64_t csc_checksum(const void *bytes, size_t n) { return XXH3_64bits(bytes, n); }

// The arena: lowered text, word bits and the term table, grown to the largest input seen
// and reused. The term table is emptied by visiting only the slots a call used, so a call
// costs nothing for the table's size.
#include "csc_internal.h"

#include <stdlib.h>

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
    free(a->slots);
    free(a->distinct);
    free(a);
}

uint64_t csc_arena_allocations(const csc_arena *a) { return a->allocations; }

const uint8_t *csc_arena_lowered(const csc_arena *a) { return a->lowered; }

static size_t next_pow2(size_t x) {
    size_t p = 64;
    while (p < x) p <<= 1;
    return p;
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
    const size_t tokens = max_tokens(ref_len) + max_tokens(ans_len) + 2;
    if (tokens > a->distinct_cap) {
        const size_t cap = tokens + tokens / 2;
        uint32_t *p = realloc(a->distinct, cap * sizeof *p);
        if (!p) return false;
        a->distinct = p;
        a->distinct_cap = cap;
        a->allocations++;
    }
    // Load factor at most 1/2 even if every token is distinct.
    const size_t slots_need = next_pow2(2 * tokens);
    if (slots_need > a->slot_cap) {
        csc_term_slot *p = calloc(slots_need, sizeof *p);
        if (!p) return false;
        free(a->slots);  // empty between calls, nothing to move
        a->slots = p;
        a->slot_cap = slots_need;
        a->allocations++;
    }
    // A table sized to this call keeps the working set small for short texts.
    a->mask = slots_need - 1;
    a->shift = csc_shift_for(slots_need);
    a->distinct_count = 0;
    return true;
}

// The counting state lives in a local struct while a text is scanned: the arena's fields
// are 64-bit like the term ids stored through `slots`, so the compiler would otherwise
// reload them after every store, and `distinct_count` would chain every token to the last.
typedef struct count_ctx {
    csc_term_slot *slots;
    size_t mask;
    unsigned shift;
    uint32_t *distinct;
    size_t distinct_count;
    const uint8_t *lowered;
    int side;
} count_ctx;

static CSC_ALWAYS_INLINE void count_run(void *p, size_t start, size_t len) {
    count_ctx *ctx = p;
    const uint64_t term = csc_term_id_padded(ctx->lowered + start, len);
    csc_term_slot *slots = ctx->slots;
    size_t i = csc_home_slot(term, ctx->shift);
    // At the table's low load the first probe almost always finds the term or an empty
    // slot, so this loop is predicted; the found/new outcome (unpredictable in text) is
    // handled without a branch.
    while (slots[i].term != term && slots[i].term != 0) i = (i + 1) & ctx->mask;
    csc_term_slot *s = &slots[i];
    const size_t is_new = s->term == 0;
    s->term = term;
    s->count[ctx->side]++;
    ctx->distinct[ctx->distinct_count] = (uint32_t)i;
    ctx->distinct_count += is_new;
}

void csc_arena_count_terms(csc_arena *a, const uint8_t *text, size_t n, uint8_t *lowered, int side) {
    csc_active_classifier()(text, n, lowered, a->bits);
    memset(lowered + n, 0, CSC_PAD);
    count_ctx ctx = {a->slots, a->mask, a->shift, a->distinct, a->distinct_count, lowered, side};
    csc_scan_runs(a->bits, lowered, n, &ctx, count_run);
    a->distinct_count = ctx.distinct_count;
}

void csc_arena_clear_terms(csc_arena *a) {
    for (size_t k = 0; k < a->distinct_count; k++) {
        csc_term_slot *s = &a->slots[a->distinct[k]];
        s->term = 0;
        s->count[0] = 0;
        s->count[1] = 0;
    }
    a->distinct_count = 0;
}

typedef struct collect_ctx {
    const uint8_t *lowered;
    csc_token *tokens;
    size_t capacity;
    size_t count;
} collect_ctx;

static CSC_ALWAYS_INLINE void collect_run(void *p, size_t start, size_t len) {
    collect_ctx *ctx = p;
    if (ctx->count < ctx->capacity) {
        ctx->tokens[ctx->count] = (csc_token){(uint32_t)start, (uint32_t)len,
                                              csc_term_id_padded(ctx->lowered + start, len)};
    }
    ctx->count++;
}

size_t csc_tokenize(csc_arena *a, const char *text, size_t n, csc_token *tokens, size_t capacity) {
    if (!csc_arena_reserve(a, n, 0)) return SIZE_MAX;
    csc_active_classifier()((const uint8_t *)text, n, a->lowered, a->bits);
    memset(a->lowered + n, 0, CSC_PAD);
    collect_ctx ctx = {a->lowered, tokens, capacity, 0};
    csc_scan_runs(a->bits, a->lowered, n, &ctx, collect_run);
    return ctx.count;
}

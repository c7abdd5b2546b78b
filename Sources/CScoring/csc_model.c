// Corpus IDF model: document frequencies of the terms of a corpus.
//
// File format (little-endian):
//   0  8  magic "VRDIDF\0\1"
//   8  4  format version (1)
//  12  4  reserved (0)
//  16  8  documents
//  24  8  terms
//  32  8  payload size before compression
//  40  8  payload size after compression
//  48  8  XXH3-64 of the uncompressed payload
//  56  .. zstd frame of the payload: for each term in ascending id order, the LEB128 varint
//         of the id's difference from the previous id, then the varint of its df.
// Sorted ids delta-encode to about 6 bytes each instead of 8; zstd packs the rest.
#include "csc_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <zstd.h>

uint64_t csc_checksum(const void *bytes, size_t n);

static const uint8_t MAGIC[8] = {'V', 'R', 'D', 'I', 'D', 'F', 0, 1};
enum { FORMAT_VERSION = 1, HEADER_SIZE = 56 };

// ---------------------------------------------------------------- builder
struct csc_model_builder {
    csc_model_slot *slots;  // idf field unused: df kept in a parallel array
    uint32_t *dfs;
    size_t cap;             // power of two
    size_t used;
    uint64_t documents;
};

csc_model_builder *csc_model_builder_new(void) {
    csc_model_builder *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->cap = 1 << 16;
    b->slots = calloc(b->cap, sizeof *b->slots);
    b->dfs = calloc(b->cap, sizeof *b->dfs);
    if (!b->slots || !b->dfs) {
        csc_model_builder_free(b);
        return NULL;
    }
    return b;
}

void csc_model_builder_free(csc_model_builder *b) {
    if (!b) return;
    free(b->slots);
    free(b->dfs);
    free(b);
}

static size_t builder_find(const csc_model_slot *slots, size_t mask, uint64_t term) {
    size_t i = csc_home_slot(term, csc_shift_for(mask + 1));
    while (slots[i].term != 0 && slots[i].term != term) i = (i + 1) & mask;
    return i;
}

static bool builder_grow(csc_model_builder *b) {
    const size_t cap = b->cap * 2;
    csc_model_slot *slots = calloc(cap, sizeof *slots);
    uint32_t *dfs = calloc(cap, sizeof *dfs);
    if (!slots || !dfs) {
        free(slots);
        free(dfs);
        return false;
    }
    for (size_t i = 0; i < b->cap; i++) {
        if (b->slots[i].term == 0) continue;
        const size_t j = builder_find(slots, cap - 1, b->slots[i].term);
        slots[j].term = b->slots[i].term;
        dfs[j] = b->dfs[i];
    }
    free(b->slots);
    free(b->dfs);
    b->slots = slots;
    b->dfs = dfs;
    b->cap = cap;
    return true;
}

int csc_model_builder_add(csc_model_builder *b, csc_arena *a, const char *text, size_t n) {
    if (!csc_arena_reserve(a, n, 0)) return CSC_ERR_NOMEM;
    csc_arena_count_terms(a, (const uint8_t *)text, n, a->lowered, 0);
    int status = CSC_OK;
    for (size_t e = 1; e < a->entry_count; e++) {
        if ((b->used + 1) * 2 > b->cap && !builder_grow(b)) {
            status = CSC_ERR_NOMEM;
            break;
        }
        const uint64_t term = a->entries[e].term;
        const size_t i = builder_find(b->slots, b->cap - 1, term);
        if (b->slots[i].term == 0) {
            b->slots[i].term = term;
            b->used++;
        }
        b->dfs[i]++;
    }
    csc_arena_clear_terms(a);
    if (status == CSC_OK) b->documents++;
    return status;
}

// ---------------------------------------------------------------- model
typedef struct term_df {
    uint64_t term;
    uint32_t df;
} term_df;

static int compare_term(const void *x, const void *y) {
    const uint64_t a = ((const term_df *)x)->term, b = ((const term_df *)y)->term;
    return (a > b) - (a < b);
}

// Takes ownership of `entries` (sorted by term).
static csc_model *model_from_entries(uint64_t documents, term_df *entries, size_t count, int *status) {
    csc_model *m = calloc(1, sizeof *m);
    size_t cap = 64;
    while (cap < count * 2) cap <<= 1;
    if (m) {
        m->terms = malloc((count ? count : 1) * sizeof *m->terms);
        m->dfs = malloc((count ? count : 1) * sizeof *m->dfs);
        m->slots = malloc(cap * sizeof *m->slots);
    }
    if (!m || !m->terms || !m->dfs || !m->slots) {
        csc_model_free(m);
        free(entries);
        if (status) *status = CSC_ERR_NOMEM;
        return NULL;
    }
    m->documents = documents;
    m->term_count = count;
    m->mask = cap - 1;
    m->shift = csc_shift_for(cap);
    const double n1 = (double)documents + 1.0;
    m->unknown_idf = log(n1) + 1.0;
    // Empty slots carry the IDF of an unknown term, so a lookup needs no branch.
    for (size_t i = 0; i < cap; i++) m->slots[i] = (csc_model_slot){0, m->unknown_idf};
    for (size_t i = 0; i < count; i++) {
        m->terms[i] = entries[i].term;
        m->dfs[i] = entries[i].df;
        size_t j = csc_home_slot(entries[i].term, m->shift);
        while (m->slots[j].term != 0) j = (j + 1) & m->mask;
        m->slots[j] = (csc_model_slot){entries[i].term, log(n1 / (1.0 + entries[i].df)) + 1.0};
    }
    free(entries);
    if (status) *status = CSC_OK;
    return m;
}

csc_model *csc_model_builder_finish(const csc_model_builder *b, uint32_t min_df, int *status) {
    term_df *entries = malloc((b->used ? b->used : 1) * sizeof *entries);
    if (!entries) {
        if (status) *status = CSC_ERR_NOMEM;
        return NULL;
    }
    size_t count = 0;
    for (size_t i = 0; i < b->cap; i++) {
        if (b->slots[i].term != 0 && b->dfs[i] >= min_df) entries[count++] = (term_df){b->slots[i].term, b->dfs[i]};
    }
    qsort(entries, count, sizeof *entries, compare_term);
    return model_from_entries(b->documents, entries, count, status);
}

void csc_model_free(csc_model *m) {
    if (!m) return;
    free(m->terms);
    free(m->dfs);
    free(m->slots);
    free(m);
}

uint64_t csc_model_documents(const csc_model *m) { return m->documents; }
uint64_t csc_model_terms(const csc_model *m) { return m->term_count; }

uint32_t csc_model_df(const csc_model *m, uint64_t term) {
    if (term == 0) return 0;
    const csc_model_slot *s = csc_model_find(m, term);
    if (s->term == 0) return 0;
    // Binary search the sorted arrays for the df (rarely used: tools and tests).
    size_t lo = 0, hi = m->term_count;
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (m->terms[mid] < term) lo = mid + 1;
        else hi = mid;
    }
    return m->dfs[lo];
}

double csc_model_idf(const csc_model *m, uint64_t term) {
    if (term == 0) return m->unknown_idf;
    return csc_model_find(m, term)->idf;
}

// ---------------------------------------------------------------- serialization
static size_t put_varint(uint8_t *p, uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

static bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*p >= end) return false;
        const uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

static void put_u32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put_u64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint32_t get_u32(const uint8_t *p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}
static uint64_t get_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

int csc_model_save(const csc_model *m, const char *path, int level) {
    const size_t raw_cap = m->term_count * 15 + 1;
    uint8_t *raw = malloc(raw_cap);
    if (!raw) return CSC_ERR_NOMEM;
    size_t raw_len = 0;
    uint64_t prev = 0;
    for (size_t i = 0; i < m->term_count; i++) {
        raw_len += put_varint(raw + raw_len, m->terms[i] - prev);
        raw_len += put_varint(raw + raw_len, m->dfs[i]);
        prev = m->terms[i];
    }
    const size_t bound = ZSTD_compressBound(raw_len);
    uint8_t *file = malloc(HEADER_SIZE + bound);
    if (!file) {
        free(raw);
        return CSC_ERR_NOMEM;
    }
    const size_t packed = ZSTD_compress(file + HEADER_SIZE, bound, raw, raw_len, level);
    if (ZSTD_isError(packed)) {
        free(raw);
        free(file);
        return CSC_ERR_COMPRESS;
    }
    memcpy(file, MAGIC, 8);
    put_u32(file + 8, FORMAT_VERSION);
    put_u32(file + 12, 0);
    put_u64(file + 16, m->documents);
    put_u64(file + 24, m->term_count);
    put_u64(file + 32, raw_len);
    put_u64(file + 40, packed);
    put_u64(file + 48, csc_checksum(raw, raw_len));
    free(raw);
    int status = CSC_OK;
    FILE *f = fopen(path, "wb");
    if (!f) status = CSC_ERR_IO;
    else {
        if (fwrite(file, 1, HEADER_SIZE + packed, f) != HEADER_SIZE + packed) status = CSC_ERR_IO;
        if (fclose(f) != 0) status = CSC_ERR_IO;
    }
    free(file);
    return status;
}

csc_model *csc_model_load_buffer(const void *bytes, size_t n, int *status) {
    int st = CSC_OK;
    const uint8_t *p = bytes;
    if (n < HEADER_SIZE || memcmp(p, MAGIC, 8) != 0) st = CSC_ERR_FORMAT;
    else if (get_u32(p + 8) != FORMAT_VERSION) st = CSC_ERR_VERSION;
    if (st != CSC_OK) {
        if (status) *status = st;
        return NULL;
    }
    const uint64_t documents = get_u64(p + 16), terms = get_u64(p + 24);
    const uint64_t raw_len = get_u64(p + 32), packed = get_u64(p + 40), sum = get_u64(p + 48);
    // Each term takes two varint bytes at least: bounds the sizes before allocating.
    if (packed != n - HEADER_SIZE || raw_len < 2 * terms || raw_len > (uint64_t)20 * terms + 1) {
        if (status) *status = CSC_ERR_FORMAT;
        return NULL;
    }
    uint8_t *raw = malloc(raw_len ? raw_len : 1);
    term_df *entries = malloc((terms ? terms : 1) * sizeof *entries);
    if (!raw || !entries) {
        free(raw);
        free(entries);
        if (status) *status = CSC_ERR_NOMEM;
        return NULL;
    }
    const size_t got = ZSTD_decompress(raw, raw_len, p + HEADER_SIZE, packed);
    if (ZSTD_isError(got) || got != raw_len) st = CSC_ERR_FORMAT;
    else if (csc_checksum(raw, raw_len) != sum) st = CSC_ERR_CHECKSUM;
    const uint8_t *cur = raw, *end = raw + raw_len;
    uint64_t prev = 0;
    for (uint64_t i = 0; st == CSC_OK && i < terms; i++) {
        uint64_t delta, df;
        if (!get_varint(&cur, end, &delta) || !get_varint(&cur, end, &df) || (i > 0 && delta == 0) ||
            df == 0 || df > documents || df > UINT32_MAX) {
            st = CSC_ERR_FORMAT;
            break;
        }
        prev += delta;
        if (prev == 0) st = CSC_ERR_FORMAT;
        entries[i] = (term_df){prev, (uint32_t)df};
    }
    if (st == CSC_OK && cur != end) st = CSC_ERR_FORMAT;
    free(raw);
    if (st != CSC_OK) {
        free(entries);
        if (status) *status = st;
        return NULL;
    }
    return model_from_entries(documents, entries, terms, status);
}

csc_model *csc_model_load(const char *path, int *status) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (status) *status = CSC_ERR_IO;
        return NULL;
    }
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        if (status) *status = CSC_ERR_IO;
        return NULL;
    }
    uint8_t *bytes = malloc((size_t)size + 1);
    if (!bytes) {
        fclose(f);
        if (status) *status = CSC_ERR_NOMEM;
        return NULL;
    }
    const size_t got = fread(bytes, 1, (size_t)size, f);  // one read of the whole file
    fclose(f);
    if (got != (size_t)size) {
        free(bytes);
        if (status) *status = CSC_ERR_IO;
        return NULL;
    }
    csc_model *m = csc_model_load_buffer(bytes, (size_t)size, status);
    free(bytes);
    return m;
}

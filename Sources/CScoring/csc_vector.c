// Sparse TF-IDF vectors for corpus mode: a reference vectorized once can be scored against
// many answers (regenerations of one question) by intersecting sorted term ids.
#include "csc_internal.h"

#include <math.h>

static void sort_entries(uint64_t *t, double *w, size_t n) {
    // Introsort is overkill for vectors of a few hundred terms: quicksort with median of
    // three and insertion sort below 16, in place, no allocation.
    while (n > 16) {
        const size_t mid = n / 2;
        uint64_t a = t[0], b = t[mid], c = t[n - 1];
        const uint64_t pivot = (a < b) ? ((b < c) ? b : (a < c ? c : a)) : ((a < c) ? a : (b < c ? c : b));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (t[i] < pivot) i++;
            while (t[j] > pivot) j--;
            if (i >= j) break;
            uint64_t tt = t[i]; t[i] = t[j]; t[j] = tt;
            double ww = w[i]; w[i] = w[j]; w[j] = ww;
            i++;
            j--;
        }
        // Recurse into the smaller half, loop on the larger one.
        const size_t left = j + 1;
        if (left < n - left) {
            sort_entries(t, w, left);
            t += left;
            w += left;
            n -= left;
        } else {
            sort_entries(t + left, w + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        const uint64_t tt = t[i];
        const double ww = w[i];
        size_t j = i;
        while (j > 0 && t[j - 1] > tt) {
            t[j] = t[j - 1];
            w[j] = w[j - 1];
            j--;
        }
        t[j] = tt;
        w[j] = ww;
    }
}

size_t csc_vectorize(csc_arena *a, const csc_model *m, const char *text, size_t n, csc_vector *out) {
    out->count = 0;
    if (!csc_arena_reserve(a, n, 0)) return SIZE_MAX;
    csc_arena_count_terms(a, (const uint8_t *)text, n, a->lowered, 0);
    const size_t distinct = a->entry_count - 1;
    if (distinct > out->capacity) {
        csc_arena_clear_terms(a);
        return distinct;
    }
    double norm_sq = 0;
    for (size_t k = 0; k < distinct; k++) {
        const csc_term_entry *s = &a->entries[k + 1];
        const double w = (double)s->count[0] * csc_model_find(m, s->term)->idf;
        out->terms[k] = s->term;
        out->weights[k] = w;
        norm_sq += w * w;
    }
    csc_arena_clear_terms(a);
    if (norm_sq > 0) {
        const double inv = 1.0 / sqrt(norm_sq);
        for (size_t k = 0; k < distinct; k++) out->weights[k] *= inv;
    }
    sort_entries(out->terms, out->weights, distinct);
    out->count = (uint32_t)distinct;
    return distinct;
}

double csc_vector_dot(const csc_vector *a, const csc_vector *b) {
    // Merge of two sorted id lists; the branch-free advance keeps the loop free of
    // mispredictions when the lists interleave.
    size_t i = 0, j = 0;
    double dot = 0;
    const uint64_t *ta = a->terms, *tb = b->terms;
    while (i < a->count && j < b->count) {
        const uint64_t x = ta[i], y = tb[j];
        if (x == y) dot += a->weights[i] * b->weights[j];
        i += x <= y;
        j += y <= x;
    }
    return dot > 1.0 ? 1.0 : dot;
}

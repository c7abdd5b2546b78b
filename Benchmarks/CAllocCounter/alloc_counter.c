// malloc interposition for the benchmark executable only: the definitions here take
// precedence over the C library's for the whole process (the executable's symbols come
// first, and glibc supports replacing its allocator this way), count each call, and forward
// to jemalloc's own entry points, so that the benchmark runs on the allocator the veredicto
// binary links (see Package.swift).
#include "alloc_counter.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__linux__) && defined(__GLIBC__)
// jemalloc's non-standard API (libjemalloc2), declared here to need no header.
extern void *mallocx(size_t size, int flags);
extern void *rallocx(void *ptr, size_t size, int flags);
extern void dallocx(void *ptr, int flags);
extern size_t sallocx(const void *ptr, int flags);
#define VEREDICTO_MALLOCX_ZERO 0x40
#define VEREDICTO_MALLOCX_ALIGN(alignment) ((int)__builtin_ctzl(alignment))

static _Atomic uint64_t allocations;

static inline void count(void) { atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed); }

// mallocx does not take a size of 0; malloc(0) must still return a unique pointer.
static inline size_t at_least_one(size_t size) { return size ? size : 1; }

void *malloc(size_t size) {
    count();
    return mallocx(at_least_one(size), 0);
}

void *calloc(size_t count_, size_t size) {
    count();
    size_t total;
    if (__builtin_mul_overflow(count_, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return mallocx(at_least_one(total), VEREDICTO_MALLOCX_ZERO);
}

void *realloc(void *ptr, size_t size) {
    count();
    if (!ptr) return mallocx(at_least_one(size), 0);
    if (!size) {
        dallocx(ptr, 0);
        return NULL;
    }
    return rallocx(ptr, size, 0);
}

static void *aligned(size_t alignment, size_t size) {
    count();
    // A power of two, at least a pointer's size (smaller requests get the default alignment).
    if (alignment < sizeof(void *)) alignment = sizeof(void *);
    if (alignment & (alignment - 1)) {
        errno = EINVAL;
        return NULL;
    }
    return mallocx(at_least_one(size), VEREDICTO_MALLOCX_ALIGN(alignment));
}

void *memalign(size_t alignment, size_t size) { return aligned(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { return aligned(alignment, size); }
void *valloc(size_t size) { return aligned(4096, size); }
void *pvalloc(size_t size) { return aligned(4096, (size + 4095) & ~(size_t)4095); }

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1))) return EINVAL;
    void *p = aligned(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

void free(void *ptr) {
    if (ptr) dallocx(ptr, 0);
}

size_t malloc_usable_size(void *ptr) { return ptr ? sallocx(ptr, 0) : 0; }

uint64_t veredicto_allocations(void) { return atomic_load_explicit(&allocations, memory_order_relaxed); }
int veredicto_allocation_counting_active(void) { return 1; }
#else
uint64_t veredicto_allocations(void) { return 0; }
int veredicto_allocation_counting_active(void) { return 0; }
#endif

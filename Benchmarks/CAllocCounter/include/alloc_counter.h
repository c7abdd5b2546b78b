// Counts the heap allocations of the benchmark process by interposing malloc and friends.
#ifndef ALLOC_COUNTER_H
#define ALLOC_COUNTER_H
#include <stdint.h>

/// Allocations (malloc, calloc, realloc, aligned allocations) made by any thread so far.
uint64_t veredicto_allocations(void);
/// 1 when interposition is active in this process.
int veredicto_allocation_counting_active(void);

#endif

// Kernel choice: the best kernel the CPU supports, chosen once; tests and benchmarks may
// force another.
#include "csc_internal.h"

#include <stdatomic.h>

static const char *const kernel_names[CSC_KERNEL_COUNT] = {
    "auto", "scalar", "sse2", "sse4.2", "avx2", "avx512bw", "neon",
};

static _Atomic int forced_kernel = CSC_KERNEL_AUTO;
static _Atomic int detected_kernel = CSC_KERNEL_AUTO;

const char *csc_kernel_name(int kernel) {
    if (kernel < 0 || kernel >= CSC_KERNEL_COUNT) return "unknown";
    return kernel_names[kernel];
}

int csc_kernel_supported(int kernel) {
    switch (kernel) {
    case CSC_KERNEL_SCALAR: return 1;
#if CSC_X86_64
    case CSC_KERNEL_SSE2: return 1;
    case CSC_KERNEL_SSE42: return __builtin_cpu_supports("sse4.2") ? 1 : 0;
    case CSC_KERNEL_AVX2: return __builtin_cpu_supports("avx2") ? 1 : 0;
    case CSC_KERNEL_AVX512:
        return (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) ? 1 : 0;
#endif
#if CSC_ARM64
    case CSC_KERNEL_NEON: return 1;
#endif
    default: return 0;
    }
}

static int detect(void) {
    // AVX-512BW first: one 64-byte vector per chunk. The bench reports every kernel.
    static const int order[] = {CSC_KERNEL_AVX512, CSC_KERNEL_AVX2, CSC_KERNEL_SSE42,
                                CSC_KERNEL_SSE2, CSC_KERNEL_NEON, CSC_KERNEL_SCALAR};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (csc_kernel_supported(order[i])) return order[i];
    }
    return CSC_KERNEL_SCALAR;
}

int csc_kernel_active(void) {
    const int forced = atomic_load_explicit(&forced_kernel, memory_order_relaxed);
    if (forced != CSC_KERNEL_AUTO) return forced;
    int k = atomic_load_explicit(&detected_kernel, memory_order_relaxed);
    if (k == CSC_KERNEL_AUTO) {
        k = detect();
        atomic_store_explicit(&detected_kernel, k, memory_order_relaxed);
    }
    return k;
}

int csc_kernel_force(int kernel) {
    if (kernel != CSC_KERNEL_AUTO && !csc_kernel_supported(kernel)) return -1;
    atomic_store_explicit(&forced_kernel, kernel, memory_order_relaxed);
    return 0;
}

static csc_classify_fn classifier_for(int kernel) {
    switch (kernel) {
#if CSC_X86_64
    case CSC_KERNEL_SSE2: return csc_classify_sse2;
    case CSC_KERNEL_SSE42: return csc_classify_sse42;
    case CSC_KERNEL_AVX2: return csc_classify_avx2;
    case CSC_KERNEL_AVX512: return csc_classify_avx512;
#endif
#if CSC_ARM64
    case CSC_KERNEL_NEON: return csc_classify_neon;
#endif
    default: return csc_classify_scalar;
    }
}

csc_classify_fn csc_active_classifier(void) { return classifier_for(csc_kernel_active()); }

#if CSC_X86_64
static _Atomic int has_bmi2 = -1;

int csc_cpu_has_bmi2(void) {
    int v = atomic_load_explicit(&has_bmi2, memory_order_relaxed);
    if (CSC_UNLIKELY(v < 0)) {
        v = (__builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt")) ? 1 : 0;
        atomic_store_explicit(&has_bmi2, v, memory_order_relaxed);
    }
    return v;
}

static _Atomic int has_vbmi2 = -1;

int csc_cpu_has_vbmi2(void) {
    int v = atomic_load_explicit(&has_vbmi2, memory_order_relaxed);
    if (CSC_UNLIKELY(v < 0)) {
        v = (csc_cpu_has_bmi2() && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi2")) ? 1 : 0;
        atomic_store_explicit(&has_vbmi2, v, memory_order_relaxed);
    }
    return v;
}
#endif

int csc_classify(int kernel, const uint8_t *text, size_t n, uint8_t *lower, uint64_t *word_bits) {
    if (kernel == CSC_KERNEL_AUTO) kernel = csc_kernel_active();
    if (!csc_kernel_supported(kernel)) return -1;
    classifier_for(kernel)(text, n, lower, word_bits);
    return 0;
}

const char *csc_status_message(int status) {
    switch (status) {
    case CSC_OK: return "ok";
    case CSC_ERR_NOMEM: return "out of memory";
    case CSC_ERR_IO: return "cannot read or write the model file";
    case CSC_ERR_FORMAT: return "not a Veredicto IDF model file, or a damaged one";
    case CSC_ERR_VERSION: return "IDF model file of an unsupported format version";
    case CSC_ERR_CHECKSUM: return "IDF model file checksum mismatch (damaged file)";
    case CSC_ERR_COMPRESS: return "zstd compression failed";
    case CSC_ERR_ARGUMENT: return "invalid argument";
    default: return "unknown error";
    }
}

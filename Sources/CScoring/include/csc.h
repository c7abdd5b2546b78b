// CScoring: the TF-IDF scoring core of Veredicto.
//
// Tokenizes UTF-8 text as scikit-learn's default TfidfVectorizer does (lowercase, then
// tokens of two or more word characters, `(?u)\b\w\w+\b`), hashes tokens to 64-bit term
// ids, weights them by TF-IDF, L2-normalizes and returns the cosine similarity of two
// texts. Byte classification and ASCII lowercasing run in SIMD kernels picked once at
// run time (SSE2, SSE4.2, AVX2, AVX-512BW on x86-64; NEON on arm64) with a scalar
// kernel that defines the semantics.
//
// Threading: a csc_arena is used by one thread at a time; a csc_model is immutable once
// built or loaded and may be shared by any number of threads.
#ifndef CSC_H
#define CSC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------- kernels
typedef enum csc_kernel {
    CSC_KERNEL_AUTO = 0,
    CSC_KERNEL_SCALAR = 1,
    CSC_KERNEL_SSE2 = 2,
    CSC_KERNEL_SSE42 = 3,
    CSC_KERNEL_AVX2 = 4,
    CSC_KERNEL_AVX512 = 5,
    CSC_KERNEL_NEON = 6,
    CSC_KERNEL_COUNT = 7
} csc_kernel;

/// Name of a kernel ("scalar", "sse2", "sse4.2", "avx2", "avx512bw", "neon").
const char *csc_kernel_name(int kernel);
/// 1 when this CPU and build can run the kernel.
int csc_kernel_supported(int kernel);
/// The kernel in use by the scoring functions (the best supported one unless forced).
int csc_kernel_active(void);
/// Forces a kernel for the whole process (tests, benchmarks); CSC_KERNEL_AUTO restores the
/// automatic choice. Returns 0, or -1 when the kernel is not supported here.
int csc_kernel_force(int kernel);

/// Classifies and lowercases `n` bytes of UTF-8 with one kernel: writes the lowercased text
/// to `lower` (n bytes; lowering never changes the byte length) and one bit per byte to
/// `word_bits` (ceil(n/64) words, bit i%64 of word i/64 set when byte i belongs to a word
/// character). Returns 0, or -1 for an unsupported kernel. Exposed for tests.
int csc_classify(int kernel, const uint8_t *text, size_t n, uint8_t *lower, uint64_t *word_bits);

/// 64-bit term id of an already lowercased token. Tokens of up to 8 bytes map one-to-one
/// (a bijective mix of their bytes), longer ones through XXH3. Never 0.
uint64_t csc_term_id(const uint8_t *token, size_t len);

// ---------------------------------------------------------------- errors
typedef enum csc_status {
    CSC_OK = 0,
    CSC_ERR_NOMEM = 1,
    CSC_ERR_IO = 2,
    CSC_ERR_FORMAT = 3,
    CSC_ERR_VERSION = 4,
    CSC_ERR_CHECKSUM = 5,
    CSC_ERR_COMPRESS = 6,
    CSC_ERR_ARGUMENT = 7
} csc_status;

const char *csc_status_message(int status);

// ---------------------------------------------------------------- arena
/// Scratch memory for tokenizing and scoring: grows to the largest text seen, then is
/// reused, so scoring allocates nothing in steady state.
typedef struct csc_arena csc_arena;

csc_arena *csc_arena_new(void);
void csc_arena_free(csc_arena *arena);
/// Number of heap allocations (including growth) the arena has made since creation.
uint64_t csc_arena_allocations(const csc_arena *arena);

typedef struct csc_token {
    uint32_t offset;  // byte offset in the text
    uint32_t length;  // byte length
    uint64_t term;    // csc_term_id of the lowercased token
} csc_token;

/// Tokenizes `text` and writes up to `capacity` tokens; returns the total number of tokens
/// (which may exceed capacity), or SIZE_MAX when the arena cannot grow.
size_t csc_tokenize(csc_arena *arena, const char *text, size_t n, csc_token *tokens, size_t capacity);

/// The lowercased copy of the text last tokenized or scored as `ref` by this arena (valid
/// until the next call). For tests and tools that print tokens.
const uint8_t *csc_arena_lowered(const csc_arena *arena);

// ---------------------------------------------------------------- IDF model
/// Document frequencies over a corpus (the best answers of a dataset), for `corpus` mode.
typedef struct csc_model csc_model;
typedef struct csc_model_builder csc_model_builder;

csc_model_builder *csc_model_builder_new(void);
void csc_model_builder_free(csc_model_builder *builder);
/// Adds one document. Returns CSC_OK or CSC_ERR_NOMEM.
int csc_model_builder_add(csc_model_builder *builder, csc_arena *arena, const char *text, size_t n);
/// Builds an immutable model (terms with df >= min_df); the builder stays usable.
csc_model *csc_model_builder_finish(const csc_model_builder *builder, uint32_t min_df, int *status);

/// Serializes a model (header + zstd-compressed, delta-encoded term table + checksum).
int csc_model_save(const csc_model *model, const char *path, int zstd_level);
/// Loads a model file with one read.
csc_model *csc_model_load(const char *path, int *status);
/// Loads a model from bytes in memory (same format as the file).
csc_model *csc_model_load_buffer(const void *bytes, size_t n, int *status);
void csc_model_free(csc_model *model);

uint64_t csc_model_documents(const csc_model *model);
uint64_t csc_model_terms(const csc_model *model);
/// Document frequency of a term id (0 when unknown).
uint32_t csc_model_df(const csc_model *model, uint64_t term);
/// Smoothed IDF: ln((1 + N) / (1 + df)) + 1. Unknown terms get df = 0, the highest IDF.
double csc_model_idf(const csc_model *model, uint64_t term);

// ---------------------------------------------------------------- scoring
/// TF-IDF cosine similarity of `answer` against `reference`, in [0, 1].
/// model == NULL: `pair` mode (IDF fitted on the two texts, as scikit-learn's
/// TfidfVectorizer().fit([reference, answer])); otherwise `corpus` mode.
/// Returns 0 when either text has no token. Returns NAN if the arena cannot grow.
double csc_score(csc_arena *arena, const csc_model *model,
                 const char *reference, size_t reference_len,
                 const char *answer, size_t answer_len);

typedef struct csc_pair {
    const char *reference;
    size_t reference_len;
    const char *answer;
    size_t answer_len;
} csc_pair;

/// Scores `count` pairs into `scores`. Returns CSC_OK or CSC_ERR_NOMEM (scores of the
/// pairs not scored are NAN).
int csc_score_batch(csc_arena *arena, const csc_model *model, const csc_pair *pairs,
                    size_t count, double *scores);

/// Scores `count` pairs laid out in one buffer: pair i is reference
/// base[ref_offsets[i] ..< ref_offsets[i] + ref_lengths[i]] and the answer likewise.
int csc_score_batch_offsets(csc_arena *arena, const csc_model *model, const uint8_t *base,
                            const uint64_t *ref_offsets, const uint32_t *ref_lengths,
                            const uint64_t *ans_offsets, const uint32_t *ans_lengths,
                            size_t count, double *scores);

// ---------------------------------------------------------------- sparse vectors
/// An L2-normalized TF-IDF vector in corpus mode: term ids sorted ascending. Memory is the
/// caller's; `capacity` entries are available in `terms` and `weights`.
typedef struct csc_vector {
    uint64_t *terms;
    double *weights;
    uint32_t count;
    uint32_t capacity;
} csc_vector;

/// Vectorizes a text against a corpus model. Returns the number of distinct terms; when it
/// exceeds `out->capacity` nothing is written beyond capacity and out->count is 0 (call
/// again with room). Returns SIZE_MAX when the arena cannot grow.
size_t csc_vectorize(csc_arena *arena, const csc_model *model, const char *text, size_t n, csc_vector *out);
/// Dot product of two sorted vectors (cosine when both are normalized), by intersecting
/// their term ids.
double csc_vector_dot(const csc_vector *a, const csc_vector *b);

#ifdef __cplusplus
}
#endif
#endif

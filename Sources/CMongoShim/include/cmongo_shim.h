#ifndef VEREDICTO_CMONGO_SHIM_H
#define VEREDICTO_CMONGO_SHIM_H

/* Storage for the libbson structs that Swift cannot hold as values.
 *
 * Debian's libbson is built with BSON_EXTRA_ALIGN, so bson_t and bson_iter_t
 * are aligned to 128 bytes and Swift imports them as opaque types. Their
 * memory comes from here, aligned as libbson declares it. */

#include <bson/bson.h>

/* An empty document (bson_init) in storage of its own, or NULL when out of
 * memory. It is also valid "overwritable storage" for libmongoc's reply
 * arguments: an empty inline document owns no buffer that an overwrite leaks. */
bson_t *cmongoshim_bson_new(void);

/* Destroys a document from cmongoshim_bson_new and frees its storage (NULL is ignored). */
void cmongoshim_bson_free(bson_t *bson);

/* The byte length of a document. */
uint32_t cmongoshim_bson_length(const bson_t *bson);

/* A zeroed iterator, or NULL when out of memory; free it with cmongoshim_iter_free. */
bson_iter_t *cmongoshim_iter_new(void);

/* Frees an iterator from cmongoshim_iter_new (NULL is ignored). */
void cmongoshim_iter_free(bson_iter_t *iter);

/* libmongoc's log.
 *
 * cmongoshim_log_install sets the process-wide handler: warnings and worse go to
 * libmongoc's default handler (stderr); more verbose levels are dropped.
 * Between cmongoshim_log_capture_begin and cmongoshim_log_capture_end, errors logged on the
 * calling thread (such as why a URI did not parse) are kept instead of
 * printed, so that the caller can put them into the error it reports. */
void cmongoshim_log_install(void);
void cmongoshim_log_capture_begin(void);

/* Ends the capture and copies what was kept ("; " between messages, NUL
 * terminated, cut to fit) into buffer; returns the length copied. */
size_t cmongoshim_log_capture_end(char *buffer, size_t size);

/* Between cmongoshim_log_silence_begin and cmongoshim_log_silence_end, everything logged on
 * the calling thread is dropped: for calls whose failure is expected and
 * handled, such as aborting a transaction that the server already aborted
 * (libmongoc logs a warning for each). */
void cmongoshim_log_silence_begin(void);
void cmongoshim_log_silence_end(void);

#endif

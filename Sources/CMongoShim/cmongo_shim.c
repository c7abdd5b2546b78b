#include "cmongo_shim.h"

#include <mongoc/mongoc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* aligned_alloc wants a size that is a multiple of the alignment. */
static void *cmongoshim_aligned_zalloc(size_t align, size_t size) {
    size_t rounded = (size + align - 1) / align * align;
    void *memory = aligned_alloc(align, rounded);
    if (memory != NULL) {
        memset(memory, 0, rounded);
    }
    return memory;
}

bson_t *cmongoshim_bson_new(void) {
    bson_t *bson = cmongoshim_aligned_zalloc(BSON_ALIGNOF(bson_t), sizeof(bson_t));
    if (bson != NULL) {
        bson_init(bson);
    }
    return bson;
}

void cmongoshim_bson_free(bson_t *bson) {
    if (bson == NULL) {
        return;
    }
    /* bson_init marks the struct static: bson_destroy frees only its buffer. */
    bson_destroy(bson);
    free(bson);
}

uint32_t cmongoshim_bson_length(const bson_t *bson) {
    return bson->len;
}

bson_iter_t *cmongoshim_iter_new(void) {
    return cmongoshim_aligned_zalloc(BSON_ALIGNOF(bson_iter_t), sizeof(bson_iter_t));
}

void cmongoshim_iter_free(bson_iter_t *iter) {
    free(iter);
}

/* What the current thread's capture has kept. */
static _Thread_local struct {
    bool active;
    size_t length;
    char text[512];
} cmongoshim_capture;

/* Whether the current thread's messages are dropped. */
static _Thread_local bool cmongoshim_silenced;

static void cmongoshim_log_handler(mongoc_log_level_t level, const char *domain, const char *message, void *data) {
    if (cmongoshim_silenced) {
        return;
    }
    if (cmongoshim_capture.active && level <= MONGOC_LOG_LEVEL_ERROR) {
        size_t room = sizeof(cmongoshim_capture.text) - cmongoshim_capture.length;
        int written = snprintf(cmongoshim_capture.text + cmongoshim_capture.length, room, "%s%s",
                               cmongoshim_capture.length > 0 ? "; " : "", message);
        if (written > 0) {
            cmongoshim_capture.length += (size_t)written < room ? (size_t)written : room - 1;
        }
        return;
    }
    if (level <= MONGOC_LOG_LEVEL_WARNING) {
        mongoc_log_default_handler(level, domain, message, data);
    }
}

void cmongoshim_log_install(void) {
    mongoc_log_set_handler(cmongoshim_log_handler, NULL);
}

void cmongoshim_log_capture_begin(void) {
    cmongoshim_capture.active = true;
    cmongoshim_capture.length = 0;
    cmongoshim_capture.text[0] = '\0';
}

size_t cmongoshim_log_capture_end(char *buffer, size_t size) {
    cmongoshim_capture.active = false;
    if (size == 0) {
        return 0;
    }
    size_t length = cmongoshim_capture.length < size - 1 ? cmongoshim_capture.length : size - 1;
    memcpy(buffer, cmongoshim_capture.text, length);
    buffer[length] = '\0';
    return length;
}

void cmongoshim_log_silence_begin(void) {
    cmongoshim_silenced = true;
}

void cmongoshim_log_silence_end(void) {
    cmongoshim_silenced = false;
}

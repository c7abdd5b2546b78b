#include "cmongo_shim.h"

#include <mongoc/mongoc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* aligned_alloc wants a size that is a multiple of the alignment. */
static void *vmg_aligned_zalloc(size_t align, size_t size) {
    size_t rounded = (size + align - 1) / align * align;
    void *memory = aligned_alloc(align, rounded);
    if (memory != NULL) {
        memset(memory, 0, rounded);
    }
    return memory;
}

bson_t *vmg_bson_new(void) {
    bson_t *bson = vmg_aligned_zalloc(BSON_ALIGNOF(bson_t), sizeof(bson_t));
    if (bson != NULL) {
        bson_init(bson);
    }
    return bson;
}

void vmg_bson_free(bson_t *bson) {
    if (bson == NULL) {
        return;
    }
    /* bson_init marks the struct static: bson_destroy frees only its buffer. */
    bson_destroy(bson);
    free(bson);
}

uint32_t vmg_bson_length(const bson_t *bson) {
    return bson->len;
}

bson_iter_t *vmg_iter_new(void) {
    return vmg_aligned_zalloc(BSON_ALIGNOF(bson_iter_t), sizeof(bson_iter_t));
}

void vmg_iter_free(bson_iter_t *iter) {
    free(iter);
}

/* What the current thread's capture has kept. */
static _Thread_local struct {
    bool active;
    size_t length;
    char text[512];
} vmg_capture;

/* Whether the current thread's messages are dropped. */
static _Thread_local bool vmg_silenced;

static void vmg_log_handler(mongoc_log_level_t level, const char *domain, const char *message, void *data) {
    if (vmg_silenced) {
        return;
    }
    if (vmg_capture.active && level <= MONGOC_LOG_LEVEL_ERROR) {
        size_t room = sizeof(vmg_capture.text) - vmg_capture.length;
        int written = snprintf(vmg_capture.text + vmg_capture.length, room, "%s%s",
                               vmg_capture.length > 0 ? "; " : "", message);
        if (written > 0) {
            vmg_capture.length += (size_t)written < room ? (size_t)written : room - 1;
        }
        return;
    }
    if (level <= MONGOC_LOG_LEVEL_WARNING) {
        mongoc_log_default_handler(level, domain, message, data);
    }
}

void vmg_log_install(void) {
    mongoc_log_set_handler(vmg_log_handler, NULL);
}

void vmg_log_capture_begin(void) {
    vmg_capture.active = true;
    vmg_capture.length = 0;
    vmg_capture.text[0] = '\0';
}

size_t vmg_log_capture_end(char *buffer, size_t size) {
    vmg_capture.active = false;
    if (size == 0) {
        return 0;
    }
    size_t length = vmg_capture.length < size - 1 ? vmg_capture.length : size - 1;
    memcpy(buffer, vmg_capture.text, length);
    buffer[length] = '\0';
    return length;
}

void vmg_log_silence_begin(void) {
    vmg_silenced = true;
}

void vmg_log_silence_end(void) {
    vmg_silenced = false;
}

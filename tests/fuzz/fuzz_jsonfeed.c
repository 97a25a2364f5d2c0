/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the token feed (jsonfeed.c) in front of yajl: the same bytes pushed
 * whole and in chunks of 1 to 64 bytes (the first input byte picks the
 * size) must give the same events, the same cut strings and numbers, and
 * the same error. A small string bound (32 bytes) makes the cut path, and
 * the validation of what follows a cut, as common as the rest. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/error.h"
#include "formats/jsonfeed.h"
#include "fuzz.h"

#define MAX_STRING 32

typedef struct recorder {
        FILE *log;
        size_t depth;
        bool done;
        nvct_json_feed *feed;
} recorder;

static int event(recorder *r, char kind, const void *s, size_t len) {
        fputc(kind, r->log);
        fputc(nvct_json_feed_truncated(r->feed) ? '!' : ' ', r->log);
        fprintf(r->log, "%zu:", len);
        if (s != NULL)
                fwrite(s, 1, len, r->log);
        fputc('\n', r->log);
        if (r->depth == 0 && kind != 'k' && kind != '(')
                r->done = true;
        return 1;
}

static int on_null(void *ctx) {
        return event(ctx, 'z', NULL, 0);
}
static int on_bool(void *ctx, int b) {
        return event(ctx, b ? 't' : 'f', NULL, 0);
}
static int on_number(void *ctx, const char *s, size_t len) {
        return event(ctx, 'n', s, len);
}
static int on_string(void *ctx, const unsigned char *s, size_t len) {
        return event(ctx, 's', s, len);
}
static int on_key(void *ctx, const unsigned char *s, size_t len) {
        return event(ctx, 'k', s, len);
}
static int on_open(void *ctx) {
        recorder *r = ctx;
        event(r, '(', NULL, 0);
        r->depth++;
        return 1;
}
static int on_close(void *ctx) {
        recorder *r = ctx;
        r->depth--;
        return event(r, ')', NULL, 0);
}

static const yajl_callbacks callbacks = {
        .yajl_null = on_null,
        .yajl_boolean = on_bool,
        .yajl_number = on_number,
        .yajl_string = on_string,
        .yajl_map_key = on_key,
        .yajl_start_map = on_open,
        .yajl_end_map = on_close,
        .yajl_start_array = on_open,
        .yajl_end_array = on_close,
};

/* The events and the outcome of pushing data in chunks of `chunk` bytes. */
static char *run(const char *data, size_t size, size_t chunk, size_t *ret_len) {
        char *text = NULL;
        recorder r = { 0 };
        r.log = open_memstream(&text, ret_len);
        CHECK(r.log != NULL);
        nvct_error *err = NULL;
        r.feed = nvct_json_feed_new(&callbacks, &r, "in", MAX_STRING, &r.done, &err);
        CHECK(r.feed != NULL);
        char *copy = fuzz_copy_input((const uint8_t *)data, size);
        CHECK(copy != NULL);
        int rc = 0;
        for (size_t off = 0; off < size && rc == 0 && !r.done; off += chunk) {
                size_t n = size - off < chunk ? size - off : chunk;
                rc = nvct_json_feed_push(r.feed, copy + off, n);
        }
        if (rc == 0)
                rc = nvct_json_feed_finish(r.feed);
        CHECK((rc < 0) == (err != NULL));
        fprintf(r.log, "= %s\n", err ? err->msg : "ok");
        nvct_error_free(&err);
        nvct_json_feed_free(r.feed);
        free(copy);
        fclose(r.log);
        return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        size_t chunk = (size_t)(data[0] % 64) + 1;
        const char *doc = (const char *)data + 1;
        size_t len = size - 1;
        size_t whole_len = 0, chunked_len = 0;
        char *whole = run(doc, len, len ? len : 1, &whole_len);
        char *chunked = run(doc, len, chunk, &chunked_len);
        bool same = whole_len == chunked_len && memcmp(whole, chunked, whole_len) == 0;
        if (!same)
                fprintf(stderr, "whole:\n%s\nchunks of %zu:\n%s\n", whole, chunk, chunked);
        CHECK(same);
        free(whole);
        free(chunked);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "reader.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#include "gostring.h"
#include "oci.h"
#include "basic/cleanup.h"
#include "basic/gocompat.h"

static const char *const kind_names[] = {
        [KIND_NULL] = "null",       [KIND_BOOL] = "a boolean",   [KIND_NUMBER] = "a number",
        [KIND_STRING] = "a string", [KIND_OBJECT] = "an object", [KIND_ARRAY] = "an array",
};

void reader_init(reader *r, const slot_def *slots, unsigned top, const char *name,
                 nvct_error **err) {
        *r = (reader){ .err = err, .name = name, .slots = slots, .top = top };
}

void reader_clear(reader *r) {
        nvct_json_feed_free(r->feed);
        free(r->frames);
        r->feed = NULL;
        r->frames = NULL;
        r->depth = r->cap_frames = 0;
}

int reader_fail(reader *r, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        nvct_error_make(r->err, 0, "%s: %s", r->name, n < 0 ? "out of memory" : msg);
        return 0; /* tells yajl to stop */
}

int reader_type_error(reader *r, unsigned slot, json_kind k) {
        return reader_fail(r, "%s: cannot be %s", r->slots[slot].path, kind_names[k]);
}

/* Refused as soon as it is read: a string over the limit could not become
 * an argument (the kernel refuses longer ones), and a cut one (the feed
 * stops storing a string long before its end) is longer still. */
int reader_too_long(reader *r, unsigned slot, size_t len) {
        return reader_fail(r, "%s: a string of %s%zu bytes is longer than the limit of %u bytes",
                           r->slots[slot].path,
                           nvct_json_feed_truncated(r->feed) ? "more than " : "", len,
                           NVCT_JSON_MAX_STRING);
}

int reader_set_string(reader *r, unsigned slot, char **dst, size_t *dst_len, const char *s,
                      size_t len) {
        if (len > NVCT_JSON_MAX_STRING)
                return reader_too_long(r, slot, len);
        size_t n = 0;
        char *copy = nvct_go_string_copy(s, len, &n);
        if (copy == NULL)
                return reader_fail(r, "out of memory");
        free(*dst);
        *dst = copy;
        if (dst_len != NULL)
                *dst_len = n;
        return 1;
}

int reader_push(reader *r, unsigned container, unsigned child) {
        /* encoding/json refuses nesting deeper than this; so do we, and it
         * bounds the frame stack whatever the input. */
        if (r->depth >= NVCT_JSON_MAX_DEPTH)
                return reader_fail(r, "JSON nested deeper than %d levels", NVCT_JSON_MAX_DEPTH);
        if (r->depth == r->cap_frames) {
                size_t cap = r->cap_frames ? r->cap_frames * 2 : 16;
                reader_frame *frames = reallocarray(r->frames, cap, sizeof(*frames));
                if (frames == NULL)
                        return reader_fail(r, "out of memory");
                r->frames = frames;
                r->cap_frames = cap;
        }
        r->frames[r->depth++] = (reader_frame){ .container = container, .child = child };
        return 1;
}

int reader_skip(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        (void)slot;
        (void)s;
        (void)len;
        if (k == KIND_OBJECT || k == KIND_ARRAY)
                return reader_push(r, SLOT_SKIP, SLOT_SKIP);
        return 1;
}

/* ---- yajl's callbacks ---- */

static int on_value(reader *r, json_kind k, const char *s, size_t len) {
        unsigned slot = r->depth == 0 ? r->top : r->frames[r->depth - 1].child;
        return r->slots[slot].on_value(r, slot, k, s, len);
}

static int cb_null(void *ctx) {
        return on_value(ctx, KIND_NULL, NULL, 0);
}
static int cb_boolean(void *ctx, int value) {
        (void)value;
        return on_value(ctx, KIND_BOOL, NULL, 0);
}
static int cb_number(void *ctx, const char *s, size_t len) {
        return on_value(ctx, KIND_NUMBER, s, len);
}
static int cb_string(void *ctx, const unsigned char *s, size_t len) {
        return on_value(ctx, KIND_STRING, (const char *)s, len);
}
static int cb_start_map(void *ctx) {
        return on_value(ctx, KIND_OBJECT, NULL, 0);
}
static int cb_start_array(void *ctx) {
        return on_value(ctx, KIND_ARRAY, NULL, 0);
}

static int cb_map_key(void *ctx, const unsigned char *key, size_t len) {
        reader *r = ctx;
        reader_frame *f = &r->frames[r->depth - 1];
        const slot_key *keys = r->slots[f->container].keys;
        f->child = SLOT_SKIP;
        for (; keys != NULL && keys->name != NULL; keys++)
                if (nvct_go_key_matches((const char *)key, len, keys->name)) {
                        f->child = keys->slot;
                        break;
                }
        return 1;
}

static int cb_end(void *ctx) {
        reader *r = ctx;
        unsigned container = r->frames[--r->depth].container;
        if (r->slots[container].on_end != NULL)
                r->slots[container].on_end(r, container);
        if (r->depth == 0)
                r->done = true;
        return 1;
}

static const yajl_callbacks callbacks = {
        .yajl_null = cb_null,
        .yajl_boolean = cb_boolean,
        .yajl_number = cb_number,
        .yajl_string = cb_string,
        .yajl_start_map = cb_start_map,
        .yajl_map_key = cb_map_key,
        .yajl_end_map = cb_end,
        .yajl_start_array = cb_start_array,
        .yajl_end_array = cb_end,
};

/* ---- input ---- */

/* Reads are this large: as much as a pipe holds, so fewer of them. */
#define READ_CHUNK 65536

static nvct_json_feed *new_feed(reader *r) {
        r->feed =
                nvct_json_feed_new(&callbacks, r, r->name, NVCT_JSON_MAX_STRING, &r->done, r->err);
        if (r->feed == NULL)
                nvct_error_make(r->err, 0, "out of memory");
        return r->feed;
}

int reader_parse_buffer(reader *r, const char *data, size_t len) {
        if (new_feed(r) == NULL)
                return -1;
        char buf[READ_CHUNK];
        for (size_t off = 0; off < len && !r->done;) {
                size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);
                memcpy(buf, data + off, n);
                if (nvct_json_feed_push(r->feed, buf, n) < 0)
                        return -1;
                off += n;
        }
        return nvct_json_feed_finish(r->feed);
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The state arrives on a pipe that runc need not close: the first value
 * complete is the end, not EOF. */
int reader_parse_fd(reader *r, int fd, size_t max_size, int timeout_ms) {
        int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
        if (new_feed(r) == NULL)
                return -1;
        char buf[READ_CHUNK];
        size_t total = 0;
        while (!r->done) {
                if (deadline >= 0) {
                        int64_t left = deadline - now_ms();
                        struct pollfd pfd = { .fd = fd, .events = POLLIN };
                        int n = left > 0 ? poll(&pfd, 1, (int)left) : 0;
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0)
                                return nvct_error_make(r->err, errno, "%s: poll", r->name);
                        if (n == 0)
                                return nvct_error_make(r->err, 0,
                                                       "%s: incomplete after %d ms, giving up",
                                                       r->name, timeout_ms);
                }
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EAGAIN && deadline < 0) {
                                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                                (void)poll(&pfd, 1, -1);
                                continue;
                        }
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return nvct_error_make(r->err, errno, "%s: read", r->name);
                }
                total += (size_t)n;
                if (total > max_size)
                        return nvct_error_make(r->err, 0, "%s: larger than %zu bytes", r->name,
                                               max_size);
                if (n == 0)
                        return nvct_json_feed_finish(r->feed);
                if (nvct_json_feed_push(r->feed, buf, (size_t)n) < 0)
                        return -1;
        }
        return 0;
}

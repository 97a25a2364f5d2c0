/* SPDX-License-Identifier: Apache-2.0 */
/* The container state runc writes on a hook's stdin: pid and bundle (or
 * bundlePath, its name before OCI 1.0), decoded as the reference's HookState
 * with encoding/json. */
#define _GNU_SOURCE
#include "oci.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "basic/cleanup.h"
#include "basic/quote.h"

typedef enum state_slot {
        SLOT_STATE = SLOT_SKIP + 1,
        SLOT_PID,
        SLOT_BUNDLE,
        SLOT_BUNDLE_PATH,
        _SLOT_MAX,
} state_slot;

typedef struct state_reader {
        reader r; /* first: the callbacks get &r */
        nvct_state state;
        char *bundle_path; /* used when bundle is unset or empty */
        size_t bundle_path_len;
} state_reader;

static int on_state(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        (void)s;
        (void)len;
        if (k == KIND_OBJECT)
                return reader_push(r, slot, SLOT_SKIP);
        if (k == KIND_NULL) {
                /* encoding/json decodes a top-level null as "no value": an
                 * empty state. */
                r->done = true;
                return 1;
        }
        return reader_type_error(r, slot, k);
}

/* Go's strconv.ParseInt(s, 10, 64): what encoding/json accepts for an int
 * field. A fraction or exponent is a type error, not a rounding. */
static bool parse_go_int(const char *s, size_t len, int64_t *ret) {
        size_t i = 0;
        bool neg = false;
        if (i < len && (s[i] == '-' || s[i] == '+')) {
                neg = s[i] == '-';
                i++;
        }
        if (i == len)
                return false;
        uint64_t v = 0;
        uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        for (; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                unsigned d = (unsigned)(s[i] - '0');
                if (v > (limit - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *ret = neg ? (int64_t)(0 - v) : (int64_t)v;
        return true;
}

static int on_pid(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        state_reader *sr = (state_reader *)r;
        if (k == KIND_NULL)
                return 1;
        if (k != KIND_NUMBER)
                return reader_type_error(r, slot, k);
        if (!parse_go_int(s, len, &sr->state.pid)) {
                _cleanup_free_ char *q = nvct_quote(s, len);
                return reader_fail(r, "pid: %s is not an integer that fits in 64 bits", q ? q : "");
        }
        return 1;
}

static int on_bundle(reader *r, unsigned slot, json_kind k, const char *s, size_t len) {
        state_reader *sr = (state_reader *)r;
        if (k == KIND_NULL)
                return 1;
        if (k != KIND_STRING)
                return reader_type_error(r, slot, k);
        if (slot == SLOT_BUNDLE)
                return reader_set_string(r, slot, &sr->state.bundle, &sr->state.bundle_len, s, len);
        return reader_set_string(r, slot, &sr->bundle_path, &sr->bundle_path_len, s, len);
}

static const slot_key state_keys[] = { { "pid", SLOT_PID },
                                       { "bundle", SLOT_BUNDLE },
                                       { "bundlePath", SLOT_BUNDLE_PATH },
                                       { NULL, 0 } };

static const slot_def state_slots[_SLOT_MAX] = {
        [SLOT_SKIP] = { "(ignored field)", reader_skip, NULL, NULL },
        [SLOT_STATE] = { "container state", on_state, state_keys, NULL },
        [SLOT_PID] = { "pid", on_pid, NULL, NULL },
        [SLOT_BUNDLE] = { "bundle", on_bundle, NULL, NULL },
        [SLOT_BUNDLE_PATH] = { "bundlePath", on_bundle, NULL, NULL },
};

void nvct_state_clear(nvct_state *state) {
        free(state->bundle);
        *state = (nvct_state){ 0 };
}

static int state_finish(state_reader *sr) {
        nvct_state *st = &sr->state;
        if (st->bundle_len == 0 && sr->bundle_path != NULL) {
                free(st->bundle);
                st->bundle = TAKE_PTR(sr->bundle_path);
                st->bundle_len = sr->bundle_path_len;
        }
        if (st->bundle == NULL) {
                st->bundle = strdup("");
                if (st->bundle == NULL)
                        return nvct_error_make(sr->r.err, 0, "out of memory");
        }
        return 0;
}

/* From fd (data NULL) or memory. */
static int state_decode(int fd, int timeout_ms, const char *data, size_t len, nvct_state *ret_state,
                        nvct_error **err) {
        /* The feed and the slots share one error, and tell a failure by it:
         * a caller that passes none still needs one. */
        _cleanup_error_ nvct_error *local_err = NULL;
        state_reader sr = { 0 };
        reader_init(&sr.r, state_slots, SLOT_STATE, "container state", err ? err : &local_err);
        int r = data ? reader_parse_buffer(&sr.r, data, len)
                     : reader_parse_fd(&sr.r, fd, NVCT_STATE_MAX_SIZE, timeout_ms);
        if (r >= 0)
                r = state_finish(&sr);
        if (r < 0)
                nvct_state_clear(&sr.state);
        else
                *ret_state = sr.state;
        reader_clear(&sr.r);
        free(sr.bundle_path);
        return r;
}

int nvct_state_read(int fd, nvct_state *ret_state, nvct_error **err) {
        return state_decode(fd, NVCT_STATE_TIMEOUT_MS, NULL, 0, ret_state, err);
}

int nvct_state_read_timeout(int fd, int timeout_ms, nvct_state *ret_state, nvct_error **err) {
        return state_decode(fd, timeout_ms, NULL, 0, ret_state, err);
}

int nvct_state_parse(const char *data, size_t len, nvct_state *ret_state, nvct_error **err) {
        return state_decode(-1, -1, data ? data : "", len, ret_state, err);
}

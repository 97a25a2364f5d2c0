/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/quote.h"
#include "tomltext.h"

typedef struct buf {
        char *data;
        size_t len, cap;
} buf;

static int buf_add(buf *b, const char *s, size_t n) {
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 64;
                while (cap < b->len + n + 1)
                        cap *= 2;
                char *p = realloc(b->data, cap);
                if (p == NULL)
                        return -ENOMEM;
                b->data = p;
                b->cap = cap;
        }
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

static int buf_str(buf *b, const char *s) {
        return buf_add(b, s, strlen(s));
}

/* A basic string, through the one TOML string writer. */
static int put_string(buf *b, const char *s, size_t len) {
        _cleanup_free_ char *text = nvct_toml_string_text(s, len);
        return text != NULL ? buf_str(b, text) : -ENOMEM;
}

static int put_float(buf *b, double d) {
        char text[40];
        if (isnan(d))
                return buf_str(b, "nan");
        if (isinf(d))
                return buf_str(b, d < 0 ? "-inf" : "inf");
        snprintf(text, sizeof(text), "%.17g", d);
        /* TOML needs a fraction or an exponent to read a float. */
        if (strpbrk(text, ".e") == NULL)
                strcat(text, ".0");
        return buf_str(b, text);
}

static int put_value(buf *b, const nvct_toml_value *v, nvct_error **err);

static int put_table(buf *b, const nvct_toml_value *t, nvct_error **err) {
        size_t n = nvct_toml_table_size(t);
        int r = buf_str(b, n == 0 ? "{}" : "{ ");
        for (size_t i = 0; r == 0 && i < n; i++) {
                size_t klen = 0;
                const char *key = nvct_toml_table_key(t, i, &klen);
                if (strlen(key) != klen) {
                        _cleanup_free_ char *q = nvct_quote(key, klen);
                        return nvct_error_make(err, 0, "key %s holds a NUL", nvct_quoted(q));
                }
                _cleanup_free_ char *k = nvct_toml_key_text(key);
                if (k == NULL)
                        return nvct_error_make(err, ENOMEM, "cannot write a TOML key");
                r = buf_str(b, i ? ", " : "");
                if (r == 0)
                        r = buf_str(b, k);
                if (r == 0)
                        r = buf_str(b, " = ");
                if (r == 0 && put_value(b, nvct_toml_table_value(t, i), err) < 0)
                        return -1;
        }
        if (r == 0 && n > 0)
                r = buf_str(b, " }");
        return r < 0 ? nvct_error_make(err, -r, "cannot write a TOML table") : 0;
}

static int put_value(buf *b, const nvct_toml_value *v, nvct_error **err) {
        char text[32];
        size_t len = 0;
        int r = 0;
        switch (nvct_toml_type_of(v)) {
        case NVCT_TOML_TABLE:
                return put_table(b, v, err);
        case NVCT_TOML_ARRAY:
                r = buf_str(b, "[");
                for (size_t i = 0; r == 0 && i < nvct_toml_array_size(v); i++) {
                        r = buf_str(b, i ? ", " : "");
                        if (r == 0 && put_value(b, nvct_toml_array_get(v, i), err) < 0)
                                return -1;
                }
                if (r == 0)
                        r = buf_str(b, "]");
                break;
        case NVCT_TOML_STRING: {
                const char *s = nvct_toml_string(v, &len);
                r = put_string(b, s, len);
                break;
        }
        case NVCT_TOML_INTEGER:
                snprintf(text, sizeof(text), "%" PRId64, nvct_toml_integer(v));
                r = buf_str(b, text);
                break;
        case NVCT_TOML_FLOAT:
                r = put_float(b, nvct_toml_float(v));
                break;
        case NVCT_TOML_BOOL:
                r = buf_str(b, nvct_toml_bool(v) ? "true" : "false");
                break;
        default: /* the date and time kinds: their normalised text is TOML */
                r = buf_str(b, nvct_toml_datetime(v));
                break;
        }
        return r < 0 ? nvct_error_make(err, -r, "cannot write a TOML value") : 0;
}

int nvct_toml_value_text(const nvct_toml_value *v, char **ret, nvct_error **err) {
        buf b = { 0 };
        if (put_value(&b, v, err) < 0) {
                free(b.data);
                return -1;
        }
        *ret = b.data;
        return 0;
}

int nvct_toml_copy_into(nvct_toml_edit *e, const char *const *to, size_t nto,
                        const nvct_toml_value *table, nvct_error **err) {
        const char *path[NVCT_TOML_EDIT_MAX_PATH];
        size_t n = nvct_toml_table_size(table);
        if (nto >= NVCT_TOML_EDIT_MAX_PATH)
                return nvct_error_make(err, 0, "a table nested more than %d deep",
                                       NVCT_TOML_EDIT_MAX_PATH);
        memcpy(path, to, nto * sizeof(*path));
        for (size_t i = 0; i < n; i++) {
                size_t klen = 0;
                const nvct_toml_value *v = nvct_toml_table_value(table, i);
                path[nto] = nvct_toml_table_key(table, i, &klen);
                if (strlen(path[nto]) != klen) {
                        _cleanup_free_ char *q = nvct_quote(path[nto], klen);
                        return nvct_error_make(err, 0, "key %s holds a NUL", nvct_quoted(q));
                }
                const nvct_toml_value *have = nvct_toml_edit_get(e, path, nto + 1);
                bool is_table = nvct_toml_type_of(v) == NVCT_TOML_TABLE;
                /* What is there stays: a table is filled in, a value kept. */
                if (have != NULL && (!is_table || nvct_toml_type_of(have) != NVCT_TOML_TABLE))
                        continue;
                if (is_table && (nvct_toml_table_size(v) > 0 || have != NULL)) {
                        if (nvct_toml_copy_into(e, path, nto + 1, v, err) < 0)
                                return -1;
                        continue;
                }
                _cleanup_free_ char *text = NULL;
                if (nvct_toml_value_text(v, &text, err) < 0 ||
                    nvct_toml_edit_set(e, path, nto + 1, text, err) < 0)
                        return -1;
        }
        return 0;
}

const nvct_toml_value *nvct_engine_source_runtime(nvct_toml_edit *e,
                                                  const char *const *default_path, size_t n_default,
                                                  const char *const *runtimes_path,
                                                  size_t n_runtimes, const char *name,
                                                  const char **ret_from) {
        const char *path[NVCT_TOML_EDIT_MAX_PATH];
        if (n_runtimes + 1 > NVCT_TOML_EDIT_MAX_PATH)
                return NULL;
        const nvct_toml_value *d = nvct_toml_edit_get(e, default_path, n_default);
        const char *candidates[] = {
                d && nvct_toml_type_of(d) == NVCT_TOML_STRING ? nvct_toml_string(d, NULL) : NULL,
                "runc",
                "crun",
        };
        memcpy(path, runtimes_path, n_runtimes * sizeof(*path));
        for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
                if (candidates[i] == NULL || strcmp(candidates[i], name) == 0)
                        continue;
                path[n_runtimes] = candidates[i];
                const nvct_toml_value *t = nvct_toml_edit_get(e, path, n_runtimes + 1);
                if (t != NULL && nvct_toml_type_of(t) == NVCT_TOML_TABLE) {
                        if (ret_from != NULL)
                                *ret_from = candidates[i];
                        return t;
                }
        }
        return NULL;
}

/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "set.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/buf.h"
#include "basic/cleanup.h"
#include "basic/gocompat.h"
#include "basic/quote.h"
#include "basic/utf8.h"
#include "config.h"
#include "formats/tomledit.h"

/* The longest key path: every key of the table is far shorter; anything
 * longer cannot name one. */
#define KEY_MAX 256

/* Fails naming the assignment, as NVIDIA's "invalid --set option X: ...". */
static int bad_assignment(nvct_error **err, const char *assignment, const char *reason,
                          const char *what, size_t what_len) {
        _cleanup_free_ char *qa = nvct_quote(assignment, strlen(assignment));
        _cleanup_free_ char *qw = what != NULL ? nvct_quote(what, what_len) : NULL;
        return nvct_error_make(err, 0, "invalid --set option %s: %s%s%s", nvct_quoted(qa), reason,
                               what != NULL ? " " : "", what != NULL ? nvct_quoted(qw) : "");
}

/* Appends s as the body of a TOML basic string: '"' and '\\' escaped, and
 * every control character TOML refuses raw (all but tab, which is escaped
 * too so that the line reads plainly). Other UTF-8 goes as is. */
static int append_string(nvct_buf *b, const char *s, size_t len) {
        _cleanup_free_ char *text = nvct_toml_string_text(s, len);
        if (text == NULL || nvct_buf_append(b, text, strlen(text)) < 0)
                return -ENOMEM;
        return 0;
}

/* ["a", "b"]: value split on every occurrence of sep, as strings.Split. */
static int append_list(nvct_buf *b, const char *value, const char *sep) {
        size_t seplen = strlen(sep);
        const char *p = value;
        if (nvct_buf_append(b, "[", 1) < 0)
                return -ENOMEM;
        for (bool first = true;; first = false) {
                const char *end = strstr(p, sep);
                size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
                if ((!first && nvct_buf_append(b, ", ", 2) < 0) || append_string(b, p, n) < 0)
                        return -ENOMEM;
                if (end == NULL)
                        break;
                p = end + seplen;
        }
        return nvct_buf_append(b, "]", 1) < 0 ? -ENOMEM : 0;
}

int nvct_config_set_value_text(const char *assignment, const char *list_separator,
                               const char **ret_key, char **ret_value_toml, nvct_error **err) {
        const char *sep = list_separator != NULL ? list_separator : ",";
        if (sep[0] == '\0')
                return nvct_error_make(err, 0, "the --set list separator is empty");
        const char *eq = strchr(assignment, '=');
        size_t key_len = eq != NULL ? (size_t)(eq - assignment) : strlen(assignment);
        char key[KEY_MAX];
        if (key_len >= sizeof(key))
                return bad_assignment(err, assignment, "unknown config key", assignment, key_len);
        memcpy(key, assignment, key_len);
        key[key_len] = '\0';
        const nvct_config_key *k = nvct_config_key_find(key);
        if (k == NULL)
                return bad_assignment(err, assignment, "unknown config key", key, key_len);

        nvct_buf b = { 0 };
        int r = 0;
        if (eq == NULL) {
                /* NVIDIA: only a boolean may stand alone, meaning true. */
                if (k->type != NVCT_CONFIG_BOOL)
                        return bad_assignment(err, assignment, "expected key=value for", key,
                                              key_len);
                r = nvct_buf_append(&b, "true", 4);
        } else {
                const char *value = eq + 1;
                size_t vlen = strlen(value);
                if (!nvct_utf8_valid(value, vlen))
                        return bad_assignment(err, assignment, "the value is not UTF-8", NULL, 0);
                bool bv = false;
                switch (k->type) {
                case NVCT_CONFIG_BOOL:
                        if (!nvct_go_parse_bool(value, vlen, &bv)) {
                                _cleanup_free_ char *qa =
                                        nvct_quote(assignment, strlen(assignment));
                                _cleanup_free_ char *qv = nvct_quote(value, vlen);
                                return nvct_error_make(err, 0,
                                                       "invalid --set option %s: %s is not a "
                                                       "boolean (true, false, 1, 0, t, f)",
                                                       nvct_quoted(qa), nvct_quoted(qv));
                        }
                        r = nvct_buf_append(&b, bv ? "true" : "false", bv ? 4 : 5);
                        break;
                case NVCT_CONFIG_STRING:
                        r = append_string(&b, value, vlen);
                        break;
                case NVCT_CONFIG_STRV:
                        r = append_list(&b, value, sep);
                        break;
                }
        }
        if (r < 0 || nvct_buf_append(&b, "", 1) < 0) {
                nvct_buf_clear(&b);
                return nvct_error_make(err, ENOMEM, "--set %s", k->path);
        }
        *ret_key = k->path;
        *ret_value_toml = b.data;
        return 0;
}

/* Splits the table's dotted path into keys (none of the table's hold a
 * quoted dot). */
static size_t split_path(char *path, const char *keys[NVCT_TOML_EDIT_MAX_PATH]) {
        size_t n = 0;
        for (char *p = path; n < NVCT_TOML_EDIT_MAX_PATH;) {
                keys[n++] = p;
                char *dot = strchr(p, '.');
                if (dot == NULL)
                        break;
                *dot = '\0';
                p = dot + 1;
        }
        return n;
}

int nvct_config_set_text(const char *data, size_t len, const char *name,
                         const char *const *assignments, size_t n, const char *list_separator,
                         char **ret_data, size_t *ret_len, nvct_error **err) {
        if (n > NVCT_CONFIG_SET_MAX)
                return nvct_error_make(err, E2BIG, "%zu --set options: at most %u are accepted", n,
                                       NVCT_CONFIG_SET_MAX);
        _cleanup_toml_edit_ nvct_toml_edit *e = NULL;
        if (nvct_toml_edit_parse(data, len, name, &e, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                const char *key = NULL;
                _cleanup_free_ char *value = NULL;
                if (nvct_config_set_value_text(assignments[i], list_separator, &key, &value, err) <
                    0)
                        return -1;
                _cleanup_free_ char *path = strdup(key);
                if (path == NULL)
                        return nvct_error_make(err, ENOMEM, "--set %s", key);
                const char *keys[NVCT_TOML_EDIT_MAX_PATH];
                size_t nkeys = split_path(path, keys);
                if (nvct_toml_edit_set(e, keys, nkeys, value, err) < 0) {
                        _cleanup_free_ char *qa =
                                nvct_quote(assignments[i], strlen(assignments[i]));
                        return nvct_error_prefix(err, "invalid --set option %s", nvct_quoted(qa));
                }
        }
        size_t out_len = 0;
        const char *text = nvct_toml_edit_text(e, &out_len);
        char *out = malloc(out_len + 1);
        if (out == NULL)
                return nvct_error_make(err, ENOMEM, "config");
        memcpy(out, text, out_len);
        out[out_len] = '\0';
        *ret_data = out;
        *ret_len = out_len;
        return 0;
}

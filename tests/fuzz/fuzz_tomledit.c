/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the surgical TOML editor: the input is a TOML document. It must
 * load exactly when nvct_toml_parse accepts it. A key path is then derived
 * from the input (existing keys at each level, a new key, a key with a dot, a
 * key under a value), and a value picked from a list. A refused set is one
 * line naming a non-table or a table and changes nothing. An accepted one
 * must decode to the old tree with only that key changed (checked here with
 * code of its own), with the new value at the path; every comment line of the
 * old text must still be a line of the new one (unless a string, array or
 * table was replaced: those may hold lines starting with '#'); the same set
 * again, and in a fresh editor, changes nothing; removing the key then leaves
 * it absent. Then the table holding the key is copied to a new key: an equal
 * table, nothing else changed, comments kept. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/error.h"
#include "formats/toml.h"
#include "formats/tomledit.h"
#include "fuzz.h"

#define NAME "fuzz.toml"
#define MAX_PATH 8

static const char *const values[] = {
        "1",
        "\"io.containerd.runc.v2\"",
        "true",
        "[\"a\", 1, { b = 2 }]",
        "{ a = 1, b.c = \"d\" }",
        "1979-05-27 07:32:00Z",
        "\"x\\ny # not a comment\"",
        "'''\n# inside\n[not.a.header]\n'''",
        "-0.0",
        "nan",
        "[\n  1, # one\n  2,\n]",
        "{}",
};

static uint64_t next(uint64_t h) {
        return h * 6364136223846793005u + 1442695040888963407u;
}

static const nvct_toml_value *find_key(const nvct_toml_value *t, const char *key, size_t len) {
        for (size_t i = 0; i < nvct_toml_table_size(t); i++) {
                size_t kl;
                const char *k = nvct_toml_table_key(t, i, &kl);
                if (kl == len && memcmp(k, key, len) == 0)
                        return nvct_toml_table_value(t, i);
        }
        return NULL;
}

static bool equal(const nvct_toml_value *a, const nvct_toml_value *b) {
        nvct_toml_type t = nvct_toml_type_of(a);
        if (t != nvct_toml_type_of(b))
                return false;
        switch (t) {
        case NVCT_TOML_TABLE:
                if (nvct_toml_table_size(a) != nvct_toml_table_size(b))
                        return false;
                for (size_t i = 0; i < nvct_toml_table_size(a); i++) {
                        size_t kl;
                        const char *k = nvct_toml_table_key(a, i, &kl);
                        const nvct_toml_value *o = find_key(b, k, kl);
                        if (o == NULL || !equal(nvct_toml_table_value(a, i), o))
                                return false;
                }
                return true;
        case NVCT_TOML_ARRAY:
                if (nvct_toml_array_size(a) != nvct_toml_array_size(b))
                        return false;
                for (size_t i = 0; i < nvct_toml_array_size(a); i++)
                        if (!equal(nvct_toml_array_get(a, i), nvct_toml_array_get(b, i)))
                                return false;
                return true;
        case NVCT_TOML_STRING: {
                size_t la, lb;
                const char *sa = nvct_toml_string(a, &la), *sb = nvct_toml_string(b, &lb);
                return la == lb && memcmp(sa, sb, la) == 0;
        }
        case NVCT_TOML_INTEGER:
                return nvct_toml_integer(a) == nvct_toml_integer(b);
        case NVCT_TOML_FLOAT: {
                double x = nvct_toml_float(a), y = nvct_toml_float(b);
                return memcmp(&x, &y, sizeof(x)) == 0 || (x == y && x != 0);
        }
        case NVCT_TOML_BOOL:
                return nvct_toml_bool(a) == nvct_toml_bool(b);
        default:
                return strcmp(nvct_toml_datetime(a), nvct_toml_datetime(b)) == 0;
        }
}

/* Every key of a (old) but path[0] is in b (new) with an equal value, b has
 * no other keys but path[0], and so on down the path. NULL: an empty table. */
static bool same_except(const nvct_toml_value *a, const nvct_toml_value *b, const char *const *path,
                        size_t n) {
        size_t pl = strlen(path[0]), others = 0;
        for (size_t i = 0; a != NULL && i < nvct_toml_table_size(a); i++) {
                size_t kl;
                const char *k = nvct_toml_table_key(a, i, &kl);
                if (kl == pl && memcmp(k, path[0], pl) == 0)
                        continue;
                others++;
                const nvct_toml_value *o = b != NULL ? find_key(b, k, kl) : NULL;
                if (o == NULL || !equal(nvct_toml_table_value(a, i), o))
                        return false;
        }
        const nvct_toml_value *bc = b != NULL ? find_key(b, path[0], pl) : NULL;
        if ((b != NULL ? nvct_toml_table_size(b) : 0) != others + (bc != NULL))
                return false;
        if (n == 1)
                return true;
        const nvct_toml_value *ac = a != NULL ? find_key(a, path[0], pl) : NULL;
        if (bc == NULL || nvct_toml_type_of(bc) != NVCT_TOML_TABLE)
                return false;
        return same_except(ac, bc, path + 1, n - 1);
}

typedef struct line {
        const char *s;
        size_t len;
} line;

static int line_cmp(const void *x, const void *y) {
        const line *a = x, *b = y;
        size_t n = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->s, b->s, n);
        return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

/* The lines of text (without '\n' or '\r\n'), or only those whose first non-blank
 * character is '#'. */
static line *lines_of(const char *text, size_t len, bool comments, size_t *ret_n) {
        line *out = malloc((len + 1) * sizeof(line));
        size_t n = 0;
        CHECK(out != NULL);
        for (size_t pos = 0; pos < len;) {
                const char *nl = memchr(text + pos, '\n', len - pos);
                size_t end = nl != NULL ? (size_t)(nl - text) : len, k = pos;
                while (k < end && (text[k] == ' ' || text[k] == '\t'))
                        k++;
                /* A last line gains a newline, CRLF in a CRLF file. */
                size_t stop = end > pos && text[end - 1] == '\r' ? end - 1 : end;
                if (!comments || (k < end && text[k] == '#'))
                        out[n++] = (line){ text + pos, stop - pos };
                pos = end + 1;
        }
        qsort(out, n, sizeof(line), line_cmp);
        *ret_n = n;
        return out;
}

/* Whether every comment line of old is a line of new (as a multiset). */
static bool comments_survive(const char *old, size_t old_len, const char *new, size_t new_len) {
        size_t nc, nl, j = 0;
        line *c = lines_of(old, old_len, true, &nc), *l = lines_of(new, new_len, false, &nl);
        bool ok = true;
        for (size_t i = 0; i < nc && ok; i++) {
                while (j < nl && line_cmp(&l[j], &c[i]) < 0)
                        j++;
                ok = j < nl && line_cmp(&l[j], &c[i]) == 0;
                j++;
        }
        free(c);
        free(l);
        return ok;
}

/* A key path from the input's own keys, with h choosing at each level. */
static size_t derive_path(const nvct_toml_value *root, uint64_t h, const char **path) {
        const nvct_toml_value *t = root;
        size_t n = 0;
        while (n < MAX_PATH - 2) {
                size_t size = nvct_toml_table_size(t), pick = (size_t)(h % (size + 2));
                h = next(h);
                if (pick == size) {
                        path[n++] = "nvct";
                        if (h & 1)
                                path[n++] = "new";
                        return n;
                }
                if (pick == size + 1) {
                        path[n++] = "a.b";
                        return n;
                }
                size_t kl;
                const char *k = nvct_toml_table_key(t, pick, &kl);
                path[n++] = strlen(k) == kl ? k : "nul";
                const nvct_toml_value *child = nvct_toml_table_value(t, pick);
                if (nvct_toml_type_of(child) != NVCT_TOML_TABLE || (h & 3) == 0) {
                        if (nvct_toml_type_of(child) != NVCT_TOML_TABLE && (h & 4))
                                path[n++] = "under";
                        return n;
                }
                t = child;
                h = next(h);
        }
        return n;
}

static void check_set(nvct_toml_edit *e, const nvct_toml_value *old_root, const char *const *path,
                      size_t n, const char *value) {
        size_t old_len;
        char *old = strdup(nvct_toml_edit_text(e, &old_len));
        CHECK(old != NULL);
        nvct_error *err = NULL;
        const nvct_toml_value *prev = nvct_toml_edit_get(e, path, n);
        nvct_toml_type prev_type = prev != NULL ? nvct_toml_type_of(prev) : NVCT_TOML_INTEGER;

        if (nvct_toml_edit_set(e, path, n, value, &err) < 0) {
                CHECK(err != NULL && strchr(err->msg, '\n') == NULL);
                CHECK(strstr(err->msg, "not a table") != NULL ||
                      strstr(err->msg, "not a value") != NULL);
                size_t len;
                CHECK(strcmp(nvct_toml_edit_text(e, &len), old) == 0 && len == old_len);
                nvct_error_free(&err);
                free(old);
                return;
        }

        size_t len;
        const char *text = nvct_toml_edit_text(e, &len);
        nvct_toml_value *new_root = NULL, *vroot = NULL;
        CHECK(nvct_toml_parse(text, len, NAME, &new_root, NULL) == 0);
        char *vtext = NULL;
        CHECK(asprintf(&vtext, "v = %s", value) > 0);
        CHECK(nvct_toml_parse(vtext, strlen(vtext), NAME, &vroot, NULL) == 0);
        const nvct_toml_value *got = nvct_toml_edit_get(e, path, n);
        CHECK(got != NULL && equal(got, nvct_toml_table_get(vroot, "v")));
        CHECK(same_except(old_root, new_root, path, n));
        if (prev_type != NVCT_TOML_STRING && prev_type != NVCT_TOML_ARRAY &&
            prev_type != NVCT_TOML_TABLE)
                CHECK(comments_survive(old, old_len, text, len));

        /* Again, here and in a fresh editor: nothing changes. */
        char *once = strdup(text);
        CHECK(once != NULL);
        CHECK(nvct_toml_edit_set(e, path, n, value, NULL) == 0);
        CHECK(strcmp(nvct_toml_edit_text(e, NULL), once) == 0);
        nvct_toml_edit *fresh = NULL;
        CHECK(nvct_toml_edit_parse(once, len, NAME, &fresh, NULL) == 0);
        CHECK(nvct_toml_edit_set(fresh, path, n, value, NULL) == 0);
        CHECK(!nvct_toml_edit_changed(fresh));
        nvct_toml_edit_free(fresh);

        /* A set that changed nothing may have met a [header] table equal to
         * the value: that is never removed. */
        if (nvct_toml_edit_remove(e, path, n, &err) < 0) {
                CHECK(prev_type == NVCT_TOML_TABLE && strstr(err->msg, "it is a table") != NULL);
                nvct_error_free(&err);
        } else
                CHECK(nvct_toml_edit_get(e, path, n) == NULL);

        free(once);
        free(vtext);
        nvct_toml_free(vroot);
        nvct_toml_free(new_root);
        free(old);
}

/* Copies the table at path[0..n) to a new top-level key: an equal table
 * there and nothing else changed, or a one-line refusal changing nothing. */
static void check_copy(nvct_toml_edit *e, const char *const *path, size_t n) {
        const nvct_toml_value *src = nvct_toml_edit_get(e, path, n);
        if (n == 0 || src == NULL || nvct_toml_type_of(src) != NVCT_TOML_TABLE)
                return;
        static const char *const to[] = { "nvct-copy", "of" };
        size_t len;
        char *old = strdup(nvct_toml_edit_text(e, &len));
        nvct_toml_value *old_root = NULL, *new_root = NULL;
        nvct_error *err = NULL;
        CHECK(old != NULL && nvct_toml_parse(old, len, NAME, &old_root, NULL) == 0);
        if (nvct_toml_edit_copy_table(e, path, n, to, 2, &err) < 0) {
                CHECK(err != NULL && strchr(err->msg, '\n') == NULL);
                CHECK(strstr(err->msg, "array of tables") != NULL ||
                      strstr(err->msg, "into itself") != NULL);
                CHECK(strcmp(nvct_toml_edit_text(e, NULL), old) == 0);
                nvct_error_free(&err);
        } else {
                const char *text = nvct_toml_edit_text(e, &len);
                CHECK(nvct_toml_parse(text, len, NAME, &new_root, NULL) == 0);
                const nvct_toml_value *copy = nvct_toml_edit_get(e, to, 2);
                if (nvct_toml_table_get(old_root, "nvct-copy") == NULL)
                        CHECK(copy != NULL && equal(copy, nvct_toml_edit_get(e, path, n)));
                CHECK(same_except(old_root, new_root, to, copy != NULL ? 2 : 1) ||
                      nvct_toml_table_get(old_root, "nvct-copy") != NULL);
                CHECK(comments_survive(old, strlen(old), text, len));
        }
        nvct_toml_free(old_root);
        nvct_toml_free(new_root);
        free(old);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *buf = fuzz_copy_input(data, size);
        if (buf == NULL)
                return 0;
        nvct_toml_edit *e = NULL;
        nvct_toml_value *root = NULL;
        nvct_error *err = NULL, *err2 = NULL;
        int r = nvct_toml_edit_parse(buf, size, NAME, &e, &err);
        int r2 = nvct_toml_parse(buf, size, NAME, &root, &err2);
        CHECK((r < 0) == (r2 < 0));
        if (r < 0) {
                CHECK(e == NULL && err != NULL && strcmp(err->msg, err2->msg) == 0);
                goto out;
        }

        uint64_t h = 14695981039346656037u;
        for (size_t i = 0; i < size; i++)
                h = (h ^ data[i]) * 1099511628211u;
        const char *path[MAX_PATH];
        size_t n = derive_path(root, h, path);
        check_set(e, root, path, n, values[(h >> 32) % (sizeof(values) / sizeof(values[0]))]);
        check_copy(e, path, n - 1);
out:
        nvct_toml_edit_free(e);
        nvct_toml_free(root);
        nvct_error_free(&err);
        nvct_error_free(&err2);
        free(buf);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The structure of valid TOML text that the editor needs: each [header] and
 * [[header]] line and each key/value line, with decoded key parts and the
 * byte span of each value. It runs only on text nvct_toml_parse accepted, so
 * it only has to skip values, never judge them; every byte is looked at a
 * bounded number of times. */
#define _GNU_SOURCE
#include "tomledit-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "toml-internal.h"

void te_keypath_clear(keypath *k) {
        for (size_t i = 0; i < k->n; i++)
                free(k->parts[i].name);
        free(k->parts);
        *k = (keypath){};
}

void te_entries_free(entry *entries, size_t n) {
        for (size_t i = 0; i < n; i++)
                te_keypath_clear(&entries[i].key);
        free(entries);
}

void te_doc_clear(doc *d) {
        free(d->text);
        nvct_toml_free(d->tree);
        for (size_t i = 0; i < d->n_sections; i++)
                te_keypath_clear(&d->sections[i].path);
        free(d->sections);
        te_entries_free(d->entries, d->n_entries);
        *d = (doc){};
}

/* ---- scanning valid text ---- */

size_t te_skip_ws(const char *s, size_t len, size_t pos) {
        while (pos < len && (s[pos] == ' ' || s[pos] == '\t'))
                pos++;
        return pos;
}

/* Past the next '\n' (comments and whitespace before it), or len. */
size_t te_skip_line(const char *s, size_t len, size_t pos) {
        const char *nl = pos < len ? memchr(s + pos, '\n', len - pos) : NULL;
        return nl != NULL ? (size_t)(nl - s) + 1 : len;
}

/* At a quote: past the string. Multi-line strings end at the last quote of
 * a run of three to five. */
static size_t skip_string(const char *s, size_t len, size_t pos) {
        char q = s[pos];
        bool escapes = q == '"';
        if (pos + 2 < len && s[pos + 1] == q && s[pos + 2] == q) {
                for (pos += 3; pos < len; pos++) {
                        if (escapes && s[pos] == '\\') {
                                pos++;
                                continue;
                        }
                        if (s[pos] == q && pos + 2 < len && s[pos + 1] == q && s[pos + 2] == q) {
                                size_t run = 3;
                                while (run < 5 && pos + run < len && s[pos + run] == q)
                                        run++;
                                return pos + run;
                        }
                }
                return len;
        }
        for (pos++; pos < len; pos++) {
                if (escapes && s[pos] == '\\')
                        pos++;
                else if (s[pos] == q)
                        return pos + 1;
        }
        return len;
}

static bool ends_scalar(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ']' ||
               c == '}' || c == '#';
}

static bool is_digit_char(char c) {
        return c >= '0' && c <= '9';
}

/* At a value: past it. */
size_t te_skip_value(const char *s, size_t len, size_t pos) {
        if (pos >= len)
                return len;
        char c = s[pos];
        if (c == '"' || c == '\'')
                return skip_string(s, len, pos);
        if (c == '[' || c == '{') {
                size_t depth = 0;
                while (pos < len) {
                        c = s[pos];
                        if (c == '"' || c == '\'') {
                                pos = skip_string(s, len, pos);
                                continue;
                        }
                        if (c == '#') {
                                const char *nl = memchr(s + pos, '\n', len - pos);
                                pos = nl != NULL ? (size_t)(nl - s) : len;
                                continue;
                        }
                        if (c == '[' || c == '{')
                                depth++;
                        else if ((c == ']' || c == '}') && --depth == 0)
                                return pos + 1;
                        pos++;
                }
                return len;
        }
        size_t start = pos;
        while (pos < len && !ends_scalar(s[pos]))
                pos++;
        /* A date, a space, then a time: one date-time. */
        if (pos - start == 10 && s[start + 4] == '-' && pos + 3 < len && s[pos] == ' ' &&
            is_digit_char(s[pos + 1]) && is_digit_char(s[pos + 2]) && s[pos + 3] == ':') {
                pos++;
                while (pos < len && !ends_scalar(s[pos]))
                        pos++;
        }
        return pos;
}

/* Reads a (dotted) key, decoding quoted parts with the decoder's own string
 * reader. Fails only on input the decoder would have refused. */
static int scan_key(const char *s, size_t len, size_t *pos, keypath *ret) {
        _cleanup_(te_keypath_clear) keypath k = {};
        size_t n_allocated = 0;

        for (;;) {
                size_t p = te_skip_ws(s, len, *pos);
                _cleanup_free_ char *name = NULL;
                size_t name_len = 0;

                if (p < len && is_bare_key_char((unsigned char)s[p])) {
                        size_t start = p;
                        while (p < len && is_bare_key_char((unsigned char)s[p]))
                                p++;
                        name_len = p - start;
                        name = strndup(s + start, name_len);
                        if (name == NULL)
                                return -ENOMEM;
                } else if (p < len && (s[p] == '"' || s[p] == '\'')) {
                        nvct_error *e = NULL;
                        parser ps = { .data = s, .len = len, .pos = p, .name = "", .err = &e };
                        int r = toml_parse_string(&ps, false, &name, &name_len);
                        nvct_error_free(&e);
                        if (r < 0)
                                return -EINVAL;
                        p = ps.pos;
                } else
                        return -EINVAL;

                if (k.n >= NVCT_TOML_MAX_DEPTH)
                        return -EINVAL;
                tkey *parts = toml_grow_array(k.parts, &n_allocated, k.n + 1, sizeof(tkey));
                if (parts == NULL)
                        return -ENOMEM;
                k.parts = parts;
                k.parts[k.n++] = (tkey){ .name = TAKE_PTR(name), .len = name_len };

                p = te_skip_ws(s, len, p);
                *pos = p;
                if (p >= len || s[p] != '.')
                        break;
                *pos = p + 1;
        }
        *ret = k;
        k = (keypath){};
        return 0;
}

/* At the first byte of a key: reads `key = value`. */
static int scan_keyval(const char *s, size_t len, size_t *pos, entry *ret) {
        keypath key = {};
        int r = scan_key(s, len, pos, &key);
        if (r < 0)
                return r;
        if (*pos >= len || s[*pos] != '=') {
                te_keypath_clear(&key);
                return -EINVAL;
        }
        size_t vs = te_skip_ws(s, len, *pos + 1);
        size_t ve = te_skip_value(s, len, vs);
        *pos = ve;
        *ret = (entry){ .key = key, .line_start = 0, .value_start = vs, .value_end = ve };
        return 0;
}

static int add_entry(entry **entries, size_t *n, size_t *n_allocated, entry *en) {
        entry *a = toml_grow_array(*entries, n_allocated, *n + 1, sizeof(entry));
        if (a == NULL) {
                te_keypath_clear(&en->key);
                return -ENOMEM;
        }
        *entries = a;
        a[(*n)++] = *en;
        return 0;
}

static int add_section(doc *d, const section *sec) {
        section *a = toml_grow_array(d->sections, &d->n_sections_allocated, d->n_sections + 1,
                                     sizeof(section));
        if (a == NULL)
                return -ENOMEM;
        d->sections = a;
        a[d->n_sections++] = *sec;
        return 0;
}

/* The line structure of d->text: sections and their key lines. */
static int scan_doc(doc *d) {
        const char *s = d->text;
        size_t len = d->len, pos = 0;
        int r;

        if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
                pos = 3;
        r = add_section(d, &(section){ .line_start = pos, .body_start = pos, .key_end = pos });
        if (r < 0)
                return r;

        while (pos < len) {
                size_t ls = pos;
                pos = te_skip_ws(s, len, pos);
                if (pos >= len)
                        break;
                section *cur = &d->sections[d->n_sections - 1];
                char c = s[pos];
                if (c == '#' || c == '\r' || c == '\n') {
                        pos = te_skip_line(s, len, pos);
                } else if (c == '[') {
                        section sec = { .line_start = ls, .indent = pos - ls };
                        sec.is_array = pos + 1 < len && s[pos + 1] == '[';
                        pos += sec.is_array ? 2 : 1;
                        r = scan_key(s, len, &pos, &sec.path);
                        if (r < 0)
                                return r;
                        sec.body_start = sec.key_end = te_skip_line(s, len, pos);
                        sec.first_entry = d->n_entries;
                        pos = sec.body_start;
                        r = add_section(d, &sec);
                        if (r < 0) {
                                te_keypath_clear(&sec.path);
                                return r;
                        }
                } else {
                        entry en;
                        r = scan_keyval(s, len, &pos, &en);
                        if (r < 0)
                                return r;
                        en.line_start = ls;
                        en.line_end = pos = te_skip_line(s, len, pos);
                        r = add_entry(&d->entries, &d->n_entries, &d->n_entries_allocated, &en);
                        if (r < 0)
                                return r;
                        cur->n_entries++;
                        cur->key_end = pos;
                }
        }
        return 0;
}

/* The entries of the inline table whose '{' is at `open`; *ret_close is the
 * position of its '}'. */
int te_scan_inline(const char *s, size_t len, size_t open, entry **ret, size_t *ret_n,
                   size_t *ret_close) {
        entry *entries = NULL;
        size_t n = 0, n_allocated = 0, pos = te_skip_ws(s, len, open + 1);
        int r;

        while (pos < len && s[pos] != '}') {
                entry en;
                size_t ks = pos;
                r = scan_keyval(s, len, &pos, &en);
                if (r < 0)
                        goto fail;
                en.line_start = ks;
                en.line_end = en.value_end;
                r = add_entry(&entries, &n, &n_allocated, &en);
                if (r < 0)
                        goto fail;
                pos = te_skip_ws(s, len, pos);
                if (pos < len && s[pos] == ',')
                        pos = te_skip_ws(s, len, pos + 1);
        }
        if (pos >= len) {
                r = -EINVAL;
                goto fail;
        }
        *ret = entries;
        *ret_n = n;
        *ret_close = pos;
        return 0;
fail:
        te_entries_free(entries, n);
        return r;
}

/* Takes `text` (NUL-terminated, len bytes): decodes, then scans it. */
int te_doc_load(char *text, size_t len, const char *name, doc *ret, nvct_error **err) {
        _cleanup_(te_doc_clear) doc d = { .text = text, .len = len };
        int r;

        r = nvct_toml_parse(text, len, name, &d.tree, err);
        if (r < 0)
                return r;
        r = scan_doc(&d);
        if (r < 0)
                return nvct_error_make(err, r == -ENOMEM ? ENOMEM : 0,
                                       "%s: cannot read the document's structure", name);
        *ret = d;
        d = (doc){};
        return 0;
}

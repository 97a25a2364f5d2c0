/* SPDX-License-Identifier: Apache-2.0 */
/* The surgical TOML editor (see tomledit.h).
 *
 * The document is first validated and decoded by nvct_toml_parse; only then
 * does a light scanner (tomledit-scan.c) read the structure the edits need: each [header] and
 * [[header]] line and each key/value line, with its decoded key parts and the
 * byte span of its value. The scanner relies on the text being valid (it
 * only has to skip values, never judge them), and it is linear: every byte is
 * looked at a bounded number of times.
 *
 * An edit decides from the decoded tree what the path goes through (a table
 * from a header, an implicit one, one made by dotted keys, an inline table),
 * then splices the text. The spliced text is decoded again and compared with
 * the old tree: it must be the old tree plus exactly the change. Anything
 * else (a case the splicing got wrong) fails the edit, and the text stays. */
#define _GNU_SOURCE
#include "tomledit.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/quote.h"
#include "toml-internal.h"
#include "tomledit-internal.h"

struct nvct_toml_edit {
        char *name;   /* as given, for nvct_toml_parse */
        char *quoted; /* for our own messages */
        doc d;
        bool changed;
};

/* ---- the API: parse, get, text ---- */

int nvct_toml_edit_parse(const char *data, size_t len, const char *name, nvct_toml_edit **ret,
                         nvct_error **err) {
        _cleanup_free_ char *quoted = nvct_quote_path(name != NULL ? name : "<input>");
        if (quoted == NULL)
                return nvct_error_make(err, ENOMEM, "cannot parse TOML");
        if (data == NULL)
                len = 0;
        /* The admin's file, but still bounded: every edit decodes it again. */
        if (len > NVCT_TOML_EDIT_MAX_SIZE)
                return nvct_error_make(err, 0, "%s: larger than %u bytes", quoted,
                                       NVCT_TOML_EDIT_MAX_SIZE);

        _cleanup_free_ nvct_toml_edit *e = calloc(1, sizeof(*e));
        _cleanup_free_ char *text = malloc(len + 1);
        if (e == NULL || text == NULL || (name != NULL && (e->name = strdup(name)) == NULL)) {
                if (e != NULL)
                        free(e->name);
                return nvct_error_make(err, ENOMEM, "%s: cannot parse", quoted);
        }
        if (len > 0)
                memcpy(text, data, len);
        text[len] = '\0';

        int r = te_doc_load(TAKE_PTR(text), len, name, &e->d, err);
        if (r < 0) {
                free(e->name);
                return r;
        }
        e->quoted = TAKE_PTR(quoted);
        *ret = TAKE_PTR(e);
        return 0;
}

void nvct_toml_edit_free(nvct_toml_edit *e) {
        if (e == NULL)
                return;
        te_doc_clear(&e->d);
        free(e->name);
        free(e->quoted);
        free(e);
}

const char *nvct_toml_edit_text(const nvct_toml_edit *e, size_t *ret_len) {
        if (ret_len != NULL)
                *ret_len = e->d.len;
        return e->d.text;
}

bool nvct_toml_edit_changed(const nvct_toml_edit *e) {
        return e->changed;
}

static const nvct_toml_value *child_of(const nvct_toml_value *t, const char *key) {
        if (t == NULL || t->type != NVCT_TOML_TABLE)
                return NULL;
        return toml_table_find(t, key, strlen(key));
}

const nvct_toml_value *nvct_toml_edit_get(nvct_toml_edit *e, const char *const *path, size_t n) {
        const nvct_toml_value *v = e->d.tree;
        for (size_t i = 0; i < n && v != NULL; i++)
                v = path[i] != NULL ? child_of(v, path[i]) : NULL;
        return v;
}

char *nvct_toml_key_text(const char *key) {
        size_t len = strlen(key);
        bool bare = len > 0;
        for (size_t i = 0; i < len && bare; i++)
                bare = is_bare_key_char((unsigned char)key[i]);
        if (bare)
                return strdup(key);

        return nvct_toml_string_text(key, len);
}

int nvct_toml_edit_set_string(nvct_toml_edit *e, const char *const *path, size_t n, const char *s,
                              nvct_error **err) {
        _cleanup_free_ char *text = nvct_toml_string_text(s, strlen(s));
        if (text == NULL)
                return nvct_error_make(err, ENOMEM, "cannot write a TOML string");
        return nvct_toml_edit_set(e, path, n, text, err);
}

void nvct_toml_string_write(FILE *f, const char *s, size_t len) {
        static const char short_esc[] = "\"\\\b\t\n\f\r";
        static const char short_name[] = "\"\\btnfr";
        fputc('"', f);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                const char *e = c != 0 ? strchr(short_esc, c) : NULL;
                if (e != NULL) {
                        fputc('\\', f);
                        fputc(short_name[e - short_esc], f);
                } else if (c < 0x20 || c == 0x7f)
                        fprintf(f, "\\u%04X", c);
                else
                        fputc(c, f);
        }
        fputc('"', f);
}

char *nvct_toml_string_text(const char *s, size_t len) {
        char *data = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&data, &size);
        if (f == NULL)
                return NULL;
        nvct_toml_string_write(f, s, len);
        bool failed = ferror(f) != 0;
        if (fclose(f) != 0 || failed) {
                free(data);
                return NULL;
        }
        return data;
}

/* ---- paths ---- */

/* The path as dotted TOML text, quoted for a message. */
static char *path_quoted(const char *const *path, size_t n) {
        _cleanup_(text_buf_clear) text_buf b = {};
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *k = nvct_toml_key_text(path[i]);
                if (k == NULL || (i > 0 && text_buf_putc(&b, '.') < 0) ||
                    text_buf_append(&b, k, strlen(k)) < 0)
                        return NULL;
        }
        return nvct_quote(b.data != NULL ? b.data : "", b.len);
}

static int append_keys(text_buf *b, const char *const *path, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *k = nvct_toml_key_text(path[i]);
                if (k == NULL || (i > 0 && text_buf_putc(b, '.') < 0) ||
                    text_buf_append(b, k, strlen(k)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static bool key_is(const keypath *k, const char *const *path, size_t n) {
        if (k->n != n)
                return false;
        for (size_t i = 0; i < n; i++)
                if (k->parts[i].len != strlen(path[i]) ||
                    memcmp(k->parts[i].name, path[i], k->parts[i].len) != 0)
                        return false;
        return true;
}

/* Whether a's parts start with b's. */
static bool keypath_has_prefix(const keypath *a, const keypath *b) {
        if (b->n > a->n)
                return false;
        for (size_t i = 0; i < b->n; i++)
                if (a->parts[i].len != b->parts[i].len ||
                    memcmp(a->parts[i].name, b->parts[i].name, b->parts[i].len) != 0)
                        return false;
        return true;
}

static bool is_prefix_of_path(const keypath *k, const char *const *path, size_t n) {
        if (k->n > n)
                return false;
        for (size_t i = 0; i < k->n; i++)
                if (k->parts[i].len != strlen(path[i]) ||
                    memcmp(k->parts[i].name, path[i], k->parts[i].len) != 0)
                        return false;
        return true;
}

/* The tables along path[0..n): nodes[i] is the table at the first i keys,
 * nodes[0] the root; *ret_exist how many of them exist. A key on the way
 * that is not a table is an error. */
static int walk(nvct_toml_edit *e, const char *const *path, size_t n, const nvct_toml_value **nodes,
                size_t *ret_exist, nvct_error **err) {
        nodes[0] = e->d.tree;
        size_t i = 0;
        for (; i < n; i++) {
                const nvct_toml_value *c = child_of(nodes[i], path[i]);
                if (c == NULL)
                        break;
                if (c->type != NVCT_TOML_TABLE) {
                        _cleanup_free_ char *q = path_quoted(path, i + 1);
                        bool aot = c->type == NVCT_TOML_ARRAY && (c->flags & ARRAY_OF_TABLES);
                        return nvct_error_make(err, 0, "%s: key %s is %s%s, not a table", e->quoted,
                                               nvct_quoted(q),
                                               aot ? "an array of tables" : "of type ",
                                               aot ? "" : nvct_toml_type_name(c->type));
                }
                nodes[i + 1] = c;
        }
        *ret_exist = i;
        return 0;
}

/* A table that text holds keys of directly: the root, a [header]'s table, an
 * inline table. Tables from dotted keys live in one of these; implicit ones
 * (only named by deeper headers) in none. */
static bool holds_keys(const nvct_toml_value *t, size_t depth) {
        return depth == 0 || (t->flags & (TABLE_DEFINED | TABLE_INLINE));
}

/* Where keys of a table are written: a section, or an inline table. */
typedef struct container {
        size_t depth;   /* path length of its table */
        size_t section; /* when !is_inline */
        bool is_inline;
        size_t open, close; /* '{' and '}' */
        entry *entries;     /* borrowed from the doc for a section */
        size_t n_entries;
        bool owned;
} container;

static void container_clear(container *c) {
        if (c->owned)
                te_entries_free(c->entries, c->n_entries);
        *c = (container){};
}

static size_t deepest_holder(const nvct_toml_value *const *nodes, size_t upto) {
        size_t c = upto;
        while (c > 0 && !holds_keys(nodes[c], c))
                c--;
        return c;
}

static const entry *find_entry(const container *c, const char *const *rel, size_t n) {
        for (size_t i = 0; i < c->n_entries; i++)
                if (key_is(&c->entries[i].key, rel, n))
                        return &c->entries[i];
        return NULL;
}

/* Finds the text of the table at path[0..depth), which holds_keys. */
static int locate(const doc *d, const char *const *path, const nvct_toml_value *const *nodes,
                  size_t depth, container *ret) {
        if (depth == 0 || !(nodes[depth]->flags & TABLE_INLINE)) {
                for (size_t i = 0; i < d->n_sections; i++) {
                        const section *s = &d->sections[i];
                        if (s->is_array || !key_is(&s->path, path, depth))
                                continue;
                        *ret = (container){ .depth = depth,
                                            .section = i,
                                            .entries = d->n_entries > 0
                                                               ? d->entries + s->first_entry
                                                               : NULL,
                                            .n_entries = s->n_entries };
                        return 0;
                }
                return -ENOENT;
        }

        _cleanup_(container_clear) container parent = {};
        size_t up = deepest_holder(nodes, depth - 1);
        int r = locate(d, path, nodes, up, &parent);
        if (r < 0)
                return r;
        const entry *en = find_entry(&parent, path + up, depth - up);
        if (en == NULL || d->text[en->value_start] != '{')
                return -ENOENT;
        container c = { .depth = depth, .is_inline = true, .open = en->value_start, .owned = true };
        r = te_scan_inline(d->text, d->len, c.open, &c.entries, &c.n_entries, &c.close);
        if (r < 0)
                return r;
        *ret = c;
        return 0;
}

/* ---- checking an edit ---- */

static bool value_equal(const nvct_toml_value *a, const nvct_toml_value *b) {
        if (a->type != b->type)
                return false;
        switch (a->type) {
        case NVCT_TOML_TABLE:
                if (a->table.n_entries != b->table.n_entries)
                        return false;
                for (size_t i = 0; i < a->table.n_entries; i++) {
                        const table_entry *en = &a->table.entries[i];
                        const nvct_toml_value *o = toml_table_find(b, en->key, en->key_len);
                        if (o == NULL || !value_equal(en->value, o))
                                return false;
                }
                return true;
        case NVCT_TOML_ARRAY:
                if (a->array.n_items != b->array.n_items)
                        return false;
                for (size_t i = 0; i < a->array.n_items; i++)
                        if (!value_equal(a->array.items[i], b->array.items[i]))
                                return false;
                return true;
        case NVCT_TOML_INTEGER:
                return a->integer == b->integer;
        case NVCT_TOML_FLOAT:
                /* -0.0 is not 0.0 and nan is nan: equal means written alike. */
                if (isnan(a->number) || isnan(b->number))
                        return isnan(a->number) && isnan(b->number) &&
                               signbit(a->number) == signbit(b->number);
                return a->number == b->number && signbit(a->number) == signbit(b->number);
        case NVCT_TOML_BOOL:
                return a->boolean == b->boolean;
        default: /* strings and date/times (normalised text) */
                return a->string.len == b->string.len &&
                       memcmp(a->string.text, b->string.text, a->string.len) == 0;
        }
}

/* Whether table b (new) is table a (old) with the key at path[0..n) set to
 * v, or removed when v is NULL, and nothing else changed. NULL for a or b
 * stands for an empty table: tables the edit created, or dotted tables that
 * vanished with their last key. */
static bool changed_only_at(const nvct_toml_value *a, const nvct_toml_value *b,
                            const char *const *path, size_t n, const nvct_toml_value *v) {
        if ((a != NULL && a->type != NVCT_TOML_TABLE) || (b != NULL && b->type != NVCT_TOML_TABLE))
                return false;
        size_t kl = strlen(path[0]);
        const nvct_toml_value *ac = a != NULL ? toml_table_find(a, path[0], kl) : NULL;
        const nvct_toml_value *bc = b != NULL ? toml_table_find(b, path[0], kl) : NULL;
        size_t others_a = 0, others_b = b != NULL ? b->table.n_entries - (bc != NULL) : 0;

        for (size_t i = 0; a != NULL && i < a->table.n_entries; i++) {
                const table_entry *en = &a->table.entries[i];
                if (en->key_len == kl && memcmp(en->key, path[0], kl) == 0)
                        continue;
                others_a++;
                const nvct_toml_value *o =
                        b != NULL ? toml_table_find(b, en->key, en->key_len) : NULL;
                if (o == NULL || !value_equal(en->value, o))
                        return false;
        }
        if (others_a != others_b)
                return false;
        if (n == 1)
                return v != NULL ? bc != NULL && value_equal(bc, v) : bc == NULL;
        if (ac == NULL && bc == NULL)
                return v == NULL;
        return changed_only_at(ac, bc, path + 1, n - 1, v);
}

/* Decodes the spliced text and makes it current if it is the old tree plus
 * exactly the change. Takes nt's text. */
static int commit(nvct_toml_edit *e, text_buf *nt, const char *const *path, size_t n,
                  const nvct_toml_value *v, const char *q, nvct_error **err) {
        const char *what = v != NULL ? "set" : "remove";
        if (nt->len > NVCT_TOML_EDIT_MAX_SIZE)
                return nvct_error_make(
                        err, 0, "%s: cannot %s key %s: the file would be larger than %u bytes",
                        e->quoted, what, nvct_quoted(q), NVCT_TOML_EDIT_MAX_SIZE);
        char *text;
        size_t len;
        if (text_buf_take(nt, &text, &len) < 0)
                return nvct_error_make(err, ENOMEM, "%s: cannot %s key", e->quoted, what);

        _cleanup_(te_doc_clear) doc nd = {};
        _cleanup_error_ nvct_error *perr = NULL;
        int r = te_doc_load(text, len, e->name, &nd, &perr);
        if (r < 0)
                return nvct_error_make(
                        err, perr != NULL ? perr->status : 0,
                        "%s: cannot %s key %s: the edited text does not decode (%s); "
                        "nothing changed",
                        e->quoted, what, nvct_quoted(q), perr != NULL ? perr->msg : "?");
        if (!changed_only_at(e->d.tree, nd.tree, path, n, v))
                return nvct_error_make(err, 0,
                                       "%s: cannot %s key %s: the edited text would change other "
                                       "values; nothing changed",
                                       e->quoted, what, nvct_quoted(q));
        te_doc_clear(&e->d);
        e->d = nd;
        nd = (doc){};
        e->changed = true;
        return 0;
}

/* ---- splicing ---- */

static const char *newline_of(const doc *d) {
        const char *nl = memchr(d->text, '\n', d->len);
        return nl != NULL && nl > d->text && nl[-1] == '\r' ? "\r\n" : "\n";
}

/* nt = text[0..a) + ins + text[b..len). */
static int splice(const doc *d, size_t a, size_t b, const text_buf *ins, text_buf *nt) {
        if (text_buf_append(nt, d->text, a) < 0 ||
            (ins->len > 0 && text_buf_append(nt, ins->data, ins->len) < 0) ||
            text_buf_append(nt, d->text + b, d->len - b) < 0)
                return -ENOMEM;
        return 0;
}

static bool line_is_blank(const char *s, size_t from, size_t to) {
        for (size_t i = from; i < to; i++)
                if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
                        return false;
        return true;
}

static size_t line_start_before(const char *s, size_t pos) {
        /* pos is a line start; the start of the line before it. */
        size_t q = pos - 1;
        while (q > 0 && s[q - 1] != '\n')
                q--;
        return q;
}

/* Whether the line ending right before pos is blank (pos a line start). */
static bool blank_before(const doc *d, size_t pos) {
        return pos > 0 && d->text[pos - 1] == '\n' &&
               line_is_blank(d->text, line_start_before(d->text, pos), pos);
}

/* Whether the line starting at pos is blank, or there is none. */
static bool blank_at(const doc *d, size_t pos) {
        return line_is_blank(d->text, pos, te_skip_line(d->text, d->len, pos));
}

/* Where a key goes into a root without keys: before the comments that lead
 * the first header (they are about it), else at the end. */
static size_t root_insert_pos(const doc *d, bool *ret_before_header) {
        *ret_before_header = d->n_sections > 1;
        if (d->n_sections == 1)
                return d->len;
        size_t pos = d->sections[1].line_start, top = d->sections[0].body_start;
        while (pos > top) {
                size_t q = line_start_before(d->text, pos);
                size_t k = te_skip_ws(d->text, pos, q);
                if (q < top || k >= pos || d->text[k] != '#')
                        break;
                pos = q;
        }
        return pos;
}

static int append_str(text_buf *b, const char *s) {
        return text_buf_append(b, s, strlen(s));
}

/* `keys = value` */
static int append_keyval(text_buf *b, const char *const *rel, size_t n, const char *value) {
        if (append_keys(b, rel, n) < 0 || append_str(b, " = ") < 0 || append_str(b, value) < 0)
                return -ENOMEM;
        return 0;
}

/* A new key in a container: at the end of a section's key block (indented
 * like its last key), or before an inline table's '}'. */
static int insert_in(const doc *d, const container *c, const char *const *rel, size_t n,
                     const char *value, text_buf *nt) {
        _cleanup_(text_buf_clear) text_buf ins = {};
        const char *nl = newline_of(d);
        size_t a, b;
        int r = 0;

        if (c->is_inline) {
                if (c->n_entries == 0) {
                        a = c->open + 1;
                        b = c->close;
                        r = append_str(&ins, " ");
                } else {
                        a = b = c->entries[c->n_entries - 1].value_end;
                        r = append_str(&ins, ", ");
                }
                if (r >= 0)
                        r = append_keyval(&ins, rel, n, value);
                if (r >= 0 && c->n_entries == 0)
                        r = append_str(&ins, " ");
                return r < 0 ? r : splice(d, a, b, &ins, nt);
        }

        const section *s = &d->sections[c->section];
        bool before_header = false;
        size_t indent_from = s->line_start, indent = s->indent;
        if (s->n_entries > 0) {
                a = s->key_end;
                indent_from = d->entries[s->first_entry + s->n_entries - 1].line_start;
                indent = te_skip_ws(d->text, d->len, indent_from) - indent_from;
        } else if (c->section == 0)
                a = root_insert_pos(d, &before_header);
        else
                a = s->body_start;
        if (c->section == 0 && s->n_entries == 0)
                indent = 0;

        if (a > 0 && d->text[a - 1] != '\n')
                r = append_str(&ins, nl);
        if (r >= 0)
                r = text_buf_append(&ins, d->text + indent_from, indent);
        if (r >= 0)
                r = append_keyval(&ins, rel, n, value);
        if (r >= 0)
                r = append_str(&ins, nl);
        if (r >= 0 && before_header && !blank_at(d, a))
                r = append_str(&ins, nl);
        return r < 0 ? r : splice(d, a, a, &ins, nt);
}

/* A new [table] at path[0..tn), holding path[tn] = value unless value is
 * NULL: after the last table whose path is a prefix of it and all that
 * table's subtables, indented like that table's first subtable (else like
 * it); else at the end. */
static int insert_table(const doc *d, const char *const *path, size_t tn, const char *value,
                        text_buf *nt) {
        _cleanup_(text_buf_clear) text_buf ins = {};
        const char *nl = newline_of(d);
        size_t best = 0, pos = d->len;

        for (size_t i = 1; i < d->n_sections; i++) {
                const section *s = &d->sections[i];
                if (!s->is_array && is_prefix_of_path(&s->path, path, tn) &&
                    (best == 0 || s->path.n > d->sections[best].path.n))
                        best = i;
        }
        const section *model = NULL;
        if (best > 0) {
                size_t last = best;
                for (size_t i = best + 1; i < d->n_sections; i++)
                        if (keypath_has_prefix(&d->sections[i].path, &d->sections[best].path))
                                last = i;
                pos = d->sections[last].key_end;
                model = &d->sections[best];
                if (best + 1 < d->n_sections &&
                    keypath_has_prefix(&d->sections[best + 1].path, &model->path))
                        model = &d->sections[best + 1];
        }

        int r = 0;
        /* One blank line before the header, after ending the last line. */
        if (pos > 0 && d->text[pos - 1] != '\n')
                r = append_str(&ins, nl) < 0 ? -ENOMEM : append_str(&ins, nl);
        else if (pos > 0 && !blank_before(d, pos))
                r = append_str(&ins, nl);
        if (r >= 0 && model != NULL)
                r = text_buf_append(&ins, d->text + model->line_start, model->indent);
        if (r >= 0 && (append_str(&ins, "[") < 0 || append_keys(&ins, path, tn) < 0 ||
                       append_str(&ins, "]") < 0 || append_str(&ins, nl) < 0))
                r = -ENOMEM;
        if (r >= 0 && model != NULL && value != NULL) {
                size_t from = model->line_start, indent = model->indent;
                if (model->n_entries > 0) {
                        from = d->entries[model->first_entry].line_start;
                        indent = te_skip_ws(d->text, d->len, from) - from;
                }
                r = text_buf_append(&ins, d->text + from, indent);
        }
        if (r >= 0 && value != NULL)
                r = append_keyval(&ins, path + tn, 1, value);
        if (r >= 0 && value != NULL)
                r = append_str(&ins, nl);
        if (r >= 0 && pos < d->len && !blank_at(d, pos))
                r = append_str(&ins, nl);
        return r < 0 ? r : splice(d, pos, pos, &ins, nt);
}

/* ---- set and remove ---- */

static int check_path(nvct_toml_edit *e, const char *const *path, size_t n, nvct_error **err) {
        if (path == NULL || n == 0 || n > NVCT_TOML_EDIT_MAX_PATH)
                return nvct_error_make(err, 0, "%s: a key path has 1 to %d keys", e->quoted,
                                       NVCT_TOML_EDIT_MAX_PATH);
        for (size_t i = 0; i < n; i++)
                if (path[i] == NULL)
                        return nvct_error_make(err, 0, "%s: key path with a NULL key", e->quoted);
        return 0;
}

/* Decodes value_toml, which must be exactly one TOML value. */
static int parse_value_text(nvct_toml_edit *e, const char *value_toml, const char *q,
                            nvct_toml_value **ret_root, nvct_error **err) {
        size_t vl = value_toml != NULL ? strlen(value_toml) : 0;
        _cleanup_free_ char *qv = nvct_quote(value_toml != NULL ? value_toml : "", vl);
        if (vl == 0 || vl > NVCT_TOML_EDIT_MAX_SIZE || te_skip_value(value_toml, vl, 0) != vl)
                return nvct_error_make(err, 0, "%s: cannot set key %s: %s is not one TOML value",
                                       e->quoted, nvct_quoted(q), nvct_quoted(qv));

        _cleanup_free_ char *text = NULL;
        if (asprintf(&text, "v = %s\n", value_toml) < 0)
                return nvct_error_make(err, ENOMEM, "%s: cannot set key", e->quoted);
        _cleanup_error_ nvct_error *perr = NULL;
        _cleanup_toml_ nvct_toml_value *root = NULL;
        if (nvct_toml_parse(text, strlen(text), "value", &root, &perr) < 0 ||
            root->table.n_entries != 1)
                return nvct_error_make(err, 0,
                                       "%s: cannot set key %s: %s is not one TOML value%s%s",
                                       e->quoted, nvct_quoted(q), nvct_quoted(qv),
                                       perr != NULL ? ": " : "", perr != NULL ? perr->msg : "");
        *ret_root = TAKE_PTR(root);
        return 0;
}

static bool is_replaceable(const nvct_toml_value *old) {
        if (old->type == NVCT_TOML_TABLE)
                return old->flags & TABLE_INLINE;
        return !(old->type == NVCT_TOML_ARRAY && (old->flags & ARRAY_OF_TABLES));
}

/* The entry that defines the existing key at path (its parent exists). */
static int find_defining(nvct_toml_edit *e, const char *const *path, size_t n,
                         const nvct_toml_value *const *nodes, container *c, const entry **ret) {
        size_t holder = deepest_holder(nodes, n - 1);
        int r = locate(&e->d, path, nodes, holder, c);
        if (r < 0)
                return r;
        *ret = find_entry(c, path + holder, n - holder);
        return *ret != NULL ? 0 : -ENOENT;
}

static int edit_failed(nvct_toml_edit *e, int r, const char *what, const char *q,
                       nvct_error **err) {
        if (r == -ENOMEM)
                return nvct_error_make(err, ENOMEM, "%s: cannot %s key %s", e->quoted, what,
                                       nvct_quoted(q));
        return nvct_error_make(err, 0,
                               "%s: cannot %s key %s: its definition was not found in the text",
                               e->quoted, what, nvct_quoted(q));
}

int nvct_toml_edit_set(nvct_toml_edit *e, const char *const *path, size_t n, const char *value_toml,
                       nvct_error **err) {
        int r = check_path(e, path, n, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *q = path_quoted(path, n);
        _cleanup_toml_ nvct_toml_value *vroot = NULL;
        r = parse_value_text(e, value_toml, q, &vroot, err);
        if (r < 0)
                return r;
        const nvct_toml_value *v = vroot->table.entries[0].value;

        const nvct_toml_value *nodes[NVCT_TOML_EDIT_MAX_PATH + 1];
        size_t exist;
        r = walk(e, path, n - 1, nodes, &exist, err);
        if (r < 0)
                return r;

        _cleanup_(text_buf_clear) text_buf nt = {};
        _cleanup_(container_clear) container c = {};
        const nvct_toml_value *x = nodes[exist];
        const nvct_toml_value *old = exist == n - 1 ? child_of(x, path[n - 1]) : NULL;
        if (old != NULL) {
                if (value_equal(old, v))
                        return 0;
                if (!is_replaceable(old))
                        return nvct_error_make(
                                err, 0, "%s: cannot set key %s: it is %s, not a value", e->quoted,
                                nvct_quoted(q),
                                old->type == NVCT_TOML_TABLE ? "a table" : "an array of tables");
                const entry *en = NULL;
                r = find_defining(e, path, n, nodes, &c, &en);
                text_buf ins = { .data = (char *)value_toml, .len = strlen(value_toml) };
                if (r >= 0)
                        r = splice(&e->d, en->value_start, en->value_end, &ins, &nt);
        } else if (exist > 0 && (x->flags & (TABLE_INLINE | TABLE_DOTTED))) {
                /* Inside an inline table or beside dotted keys: a dotted key. */
                size_t holder = deepest_holder(nodes, exist);
                r = locate(&e->d, path, nodes, holder, &c);
                if (r >= 0)
                        r = insert_in(&e->d, &c, path + holder, n - holder, value_toml, &nt);
        } else if (exist == n - 1 && holds_keys(x, exist)) {
                r = locate(&e->d, path, nodes, exist, &c);
                if (r >= 0)
                        r = insert_in(&e->d, &c, path + exist, 1, value_toml, &nt);
        } else
                r = insert_table(&e->d, path, n - 1, value_toml, &nt);
        if (r < 0)
                return edit_failed(e, r, "set", q, err);
        return commit(e, &nt, path, n, v, q, err);
}

/* Cuts an entry out of an inline table with one of its commas. */
static int cut_inline(const doc *d, const container *c, const entry *en, text_buf *nt) {
        size_t i = (size_t)(en - c->entries), a, b;
        text_buf none = {};
        if (c->n_entries == 1) {
                a = c->open + 1;
                b = c->close;
        } else if (i + 1 < c->n_entries) {
                a = en->line_start;
                b = c->entries[i + 1].line_start;
        } else {
                a = c->entries[i - 1].value_end;
                b = en->value_end;
        }
        return splice(d, a, b, &none, nt);
}

int nvct_toml_edit_remove(nvct_toml_edit *e, const char *const *path, size_t n, nvct_error **err) {
        int r = check_path(e, path, n, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *q = path_quoted(path, n);
        const nvct_toml_value *nodes[NVCT_TOML_EDIT_MAX_PATH + 1];
        size_t exist;
        r = walk(e, path, n - 1, nodes, &exist, err);
        if (r < 0)
                return r;
        const nvct_toml_value *old = exist == n - 1 ? child_of(nodes[exist], path[n - 1]) : NULL;
        if (old == NULL)
                return 0;
        if (!is_replaceable(old))
                return nvct_error_make(err, 0,
                                       "%s: cannot remove key %s: it is %s; only values and "
                                       "inline tables are removed",
                                       e->quoted, nvct_quoted(q),
                                       old->type == NVCT_TOML_TABLE ? "a table"
                                                                    : "an array of tables");

        _cleanup_(text_buf_clear) text_buf nt = {};
        _cleanup_(container_clear) container c = {};
        const entry *en = NULL;
        r = find_defining(e, path, n, nodes, &c, &en);
        if (r >= 0) {
                text_buf none = {};
                r = c.is_inline ? cut_inline(&e->d, &c, en, &nt)
                                : splice(&e->d, en->line_start, en->line_end, &none, &nt);
        }
        if (r < 0)
                return edit_failed(e, r, "remove", q, err);
        return commit(e, &nt, path, n, NULL, q, err);
}

/* ---- copying a table ---- */

/* The text of the existing value at path (a value or an inline table). */
static int value_text(nvct_toml_edit *e, const char *const *path, size_t n, char **ret) {
        const nvct_toml_value *nodes[NVCT_TOML_EDIT_MAX_PATH + 1];
        _cleanup_(container_clear) container c = {};
        const entry *en = NULL;
        size_t exist;
        int r = walk(e, path, n - 1, nodes, &exist, NULL);
        if (r < 0 || exist != n - 1)
                return -ENOENT;
        r = find_defining(e, path, n, nodes, &c, &en);
        if (r < 0)
                return r;
        *ret = strndup(e->d.text + en->value_start, en->value_end - en->value_start);
        return *ret != NULL ? 0 : -ENOMEM;
}

/* A new empty table at path: a [header], or `key = {}` where no header can
 * go (inside an inline table, among dotted keys). */
static int make_table(nvct_toml_edit *e, const char *const *path, size_t n, const char *q,
                      nvct_error **err) {
        const nvct_toml_value *nodes[NVCT_TOML_EDIT_MAX_PATH + 1];
        size_t exist;
        int r = walk(e, path, n - 1, nodes, &exist, err);
        if (r < 0)
                return r;
        if (exist > 0 && (nodes[exist]->flags & (TABLE_INLINE | TABLE_DOTTED)))
                return nvct_toml_edit_set(e, path, n, "{}", err);

        _cleanup_toml_ nvct_toml_value *empty = toml_value_new(NVCT_TOML_TABLE);
        _cleanup_(text_buf_clear) text_buf nt = {};
        r = empty != NULL ? insert_table(&e->d, path, n, NULL, &nt) : -ENOMEM;
        if (r < 0)
                return edit_failed(e, r, "set", q, err);
        return commit(e, &nt, path, n, empty, q, err);
}

/* Copies the keys of the (non-inline) table at from[0..nf) to to[0..nt),
 * one set at a time; from and to have room for NVCT_TOML_EDIT_MAX_PATH. */
static int copy_into(nvct_toml_edit *e, const char **from, size_t nf, const char **to, size_t nt,
                     const char *q, nvct_error **err) {
        size_t size = nvct_toml_table_size(nvct_toml_edit_get(e, from, nf));
        if (size == 0)
                return make_table(e, to, nt, q, err);
        if (nf >= NVCT_TOML_EDIT_MAX_PATH || nt >= NVCT_TOML_EDIT_MAX_PATH)
                return nvct_error_make(err, 0, "%s: cannot copy to %s: keys nested too deep",
                                       e->quoted, nvct_quoted(q));
        for (size_t i = 0; i < size; i++) {
                /* Every edit replaces the tree: look the source up again. */
                const nvct_toml_value *src = nvct_toml_edit_get(e, from, nf);
                size_t kl;
                const char *k = nvct_toml_table_key(src, i, &kl);
                const nvct_toml_value *child = nvct_toml_table_value(src, i);
                _cleanup_free_ char *key = strndup(k, kl);
                if (key == NULL)
                        return nvct_error_make(err, ENOMEM, "%s: cannot copy", e->quoted);
                if (strlen(key) != kl ||
                    (child->type == NVCT_TOML_ARRAY && (child->flags & ARRAY_OF_TABLES)))
                        return nvct_error_make(err, 0,
                                               "%s: cannot copy to %s: the source holds a key "
                                               "with a NUL or an array of tables",
                                               e->quoted, nvct_quoted(q));
                from[nf] = to[nt] = key;
                int r;
                if (child->type == NVCT_TOML_TABLE && !(child->flags & TABLE_INLINE))
                        r = copy_into(e, from, nf + 1, to, nt + 1, q, err);
                else {
                        _cleanup_free_ char *text = NULL;
                        r = value_text(e, from, nf + 1, &text);
                        if (r < 0)
                                return edit_failed(e, r, "copy to", q, err);
                        r = nvct_toml_edit_set(e, to, nt + 1, text, err);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

int nvct_toml_edit_copy_table(nvct_toml_edit *e, const char *const *from, size_t nfrom,
                              const char *const *to, size_t nto, nvct_error **err) {
        int r = check_path(e, from, nfrom, err);
        if (r >= 0)
                r = check_path(e, to, nto, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *qf = path_quoted(from, nfrom), *q = path_quoted(to, nto);
        if (nvct_toml_edit_get(e, to, nto) != NULL)
                return 0;
        const nvct_toml_value *src = nvct_toml_edit_get(e, from, nfrom);
        if (src == NULL || src->type != NVCT_TOML_TABLE)
                return nvct_error_make(err, 0, "%s: cannot copy %s: %s", e->quoted, nvct_quoted(qf),
                                       src == NULL ? "no such key" : "not a table");
        bool inside = nto >= nfrom;
        for (size_t i = 0; i < nfrom && inside; i++)
                inside = strcmp(from[i], to[i]) == 0;
        if (inside)
                return nvct_error_make(err, 0, "%s: cannot copy %s into itself", e->quoted,
                                       nvct_quoted(qf));

        /* All or nothing: the text before the first set comes back on
         * failure. */
        _cleanup_free_ char *saved = strdup(e->d.text);
        const char *fp[NVCT_TOML_EDIT_MAX_PATH], *tp[NVCT_TOML_EDIT_MAX_PATH];
        if (saved == NULL)
                return nvct_error_make(err, ENOMEM, "%s: cannot copy", e->quoted);
        memcpy(fp, from, nfrom * sizeof(*from));
        memcpy(tp, to, nto * sizeof(*to));
        bool changed = e->changed;
        size_t len = e->d.len;

        if (src->flags & TABLE_INLINE) {
                _cleanup_free_ char *text = NULL;
                r = value_text(e, from, nfrom, &text);
                r = r < 0 ? edit_failed(e, r, "copy to", q, err)
                          : nvct_toml_edit_set(e, to, nto, text, err);
        } else
                r = copy_into(e, fp, nfrom, tp, nto, q, err);
        if (r < 0 && (e->d.len != len || memcmp(e->d.text, saved, len) != 0)) {
                doc restored = {};
                if (te_doc_load(TAKE_PTR(saved), len, e->name, &restored, NULL) >= 0) {
                        te_doc_clear(&e->d);
                        e->d = restored;
                        e->changed = changed;
                }
        }
        return r;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* A strict TOML 1.0.0 decoder.
 *
 * The parser is a hand-written recursive descent over the raw bytes. The only
 * recursion is through nested arrays and inline tables, and every container
 * (wherever it comes from: inline value, dotted key or table header) records
 * its depth in the tree and is refused beyond NVCT_TOML_MAX_DEPTH, so both
 * parsing and freeing use bounded stack.
 *
 * Redefinition rules are tracked with per-table flags recording how a table
 * came to exist: implicitly as an intermediate of a [header], by a [header]
 * itself, by a dotted key, or as an inline table (closed once parsed). Arrays
 * created by [[header]] are marked so that literal arrays cannot be appended
 * to. */
#define _GNU_SOURCE
#include "toml.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/hash.h"
#include "basic/quote.h"
#include "basic/utf8.h"

enum {
        TABLE_IMPLICIT = 1u << 0,  /* intermediate of a [header]: may still be defined later */
        TABLE_DEFINED = 1u << 1,   /* defined by a [header] or as a [[header]] element */
        TABLE_DOTTED = 1u << 2,    /* created by a dotted key */
        TABLE_INLINE = 1u << 3,    /* inline table: nothing may be added once parsed */
        ARRAY_OF_TABLES = 1u << 4, /* created by [[header]]: further headers append */
};

typedef struct table_entry {
        char *key; /* NUL-terminated for convenience, but may hold NULs: see key_len */
        size_t key_len;
        nvct_toml_value *value;
} table_entry;

/* Up to this many keys a linear scan beats hashing; beyond it, a table gets an
 * open-addressing index so that big tables stay linear to build. */
#define TABLE_INDEX_THRESHOLD 8

struct nvct_toml_value {
        nvct_toml_type type;
        unsigned flags;
        unsigned depth; /* containers only: root is 0, each nesting adds 1 */
        union {
                struct {
                        table_entry *entries;
                        size_t n_entries;
                        size_t n_allocated;
                        size_t *slots; /* entry index + 1, 0 when empty; NULL while small */
                        size_t n_slots;
                } table;
                struct {
                        nvct_toml_value **items;
                        size_t n_items;
                        size_t n_allocated;
                } array;
                struct {
                        char *text;
                        size_t len;
                } string; /* strings, and date/times as normalised text */
                int64_t integer;
                double number;
                bool boolean;
        };
};

/* ---- values ---- */

void nvct_toml_free(nvct_toml_value *v) {
        if (v == NULL)
                return;

        /* Recursion depth is bounded by NVCT_TOML_MAX_DEPTH, enforced when
         * containers are created. */
        switch (v->type) {
        case NVCT_TOML_TABLE:
                for (size_t i = 0; i < v->table.n_entries; i++) {
                        free(v->table.entries[i].key);
                        nvct_toml_free(v->table.entries[i].value);
                }
                free(v->table.entries);
                free(v->table.slots);
                break;
        case NVCT_TOML_ARRAY:
                for (size_t i = 0; i < v->array.n_items; i++)
                        nvct_toml_free(v->array.items[i]);
                free(v->array.items);
                break;
        case NVCT_TOML_STRING:
        case NVCT_TOML_DATETIME:
        case NVCT_TOML_DATETIME_LOCAL:
        case NVCT_TOML_DATE_LOCAL:
        case NVCT_TOML_TIME_LOCAL:
                free(v->string.text);
                break;
        default:
                break;
        }
        free(v);
}

static nvct_toml_value *value_new(nvct_toml_type type) {
        nvct_toml_value *v = calloc(1, sizeof(*v));
        if (v != NULL)
                v->type = type;
        return v;
}

/* Grows an array to hold at least `need` elements. Returns the (possibly
 * moved) array, or NULL with the old one untouched and still owned by the
 * caller. */
static void *grow_array(void *array, size_t *n_allocated, size_t need, size_t elem_size) {
        if (need <= *n_allocated)
                return array;

        size_t n = *n_allocated > 0 ? *n_allocated : 4;
        while (n < need) {
                if (n > SIZE_MAX / 2)
                        return NULL;
                n *= 2;
        }
        if (n > SIZE_MAX / elem_size)
                return NULL;

        void *p = realloc(array, n * elem_size);
        if (p == NULL)
                return NULL;
        *n_allocated = n;
        return p;
}

/* Keyed (hash.h): keys crafted to collide cannot make a table quadratic. */
static uint64_t key_hash(const char *key, size_t len) {
        return nvct_hash(key, len);
}

static void slots_insert(size_t *slots, size_t n_slots, const table_entry *e, size_t index) {
        size_t mask = n_slots - 1;
        size_t s = (size_t)key_hash(e->key, e->key_len) & mask;
        while (slots[s] != 0)
                s = (s + 1) & mask;
        slots[s] = index + 1;
}

static int table_reindex(nvct_toml_value *t, size_t n_slots) {
        size_t *slots = calloc(n_slots, sizeof(size_t));
        if (slots == NULL)
                return -ENOMEM;
        for (size_t i = 0; i < t->table.n_entries; i++)
                slots_insert(slots, n_slots, &t->table.entries[i], i);
        free(t->table.slots);
        t->table.slots = slots;
        t->table.n_slots = n_slots;
        return 0;
}

static nvct_toml_value *table_find(const nvct_toml_value *t, const char *key, size_t len) {
        if (t->table.slots == NULL) {
                for (size_t i = 0; i < t->table.n_entries; i++) {
                        const table_entry *e = &t->table.entries[i];
                        if (e->key_len == len && memcmp(e->key, key, len) == 0)
                                return e->value;
                }
                return NULL;
        }

        size_t mask = t->table.n_slots - 1;
        for (size_t s = (size_t)key_hash(key, len) & mask; t->table.slots[s] != 0;
             s = (s + 1) & mask) {
                const table_entry *e = &t->table.entries[t->table.slots[s] - 1];
                if (e->key_len == len && memcmp(e->key, key, len) == 0)
                        return e->value;
        }
        return NULL;
}

/* Appends a key known to be absent. Takes ownership of key and value on
 * success only. */
static int table_add(nvct_toml_value *t, char *key, size_t key_len, nvct_toml_value *value) {
        table_entry *entries = grow_array(t->table.entries, &t->table.n_allocated,
                                          t->table.n_entries + 1, sizeof(table_entry));
        if (entries == NULL)
                return -ENOMEM;
        t->table.entries = entries;

        size_t index = t->table.n_entries;
        entries[index] = (table_entry){ .key = key, .key_len = key_len, .value = value };
        t->table.n_entries++;

        size_t n = t->table.n_entries;
        if (n > TABLE_INDEX_THRESHOLD) {
                /* Keep the load factor at or below one half. */
                if (n > t->table.n_slots / 2) {
                        size_t n_slots = t->table.n_slots > 0 ? t->table.n_slots * 2 : 32;
                        if (n_slots < n || table_reindex(t, n_slots) < 0) {
                                t->table.n_entries--;
                                return -ENOMEM;
                        }
                } else
                        slots_insert(t->table.slots, t->table.n_slots, &entries[index], index);
        }
        return 0;
}

static int array_append(nvct_toml_value *a, nvct_toml_value *item) {
        nvct_toml_value **items = grow_array(a->array.items, &a->array.n_allocated,
                                             a->array.n_items + 1, sizeof(nvct_toml_value *));
        if (items == NULL)
                return -ENOMEM;
        a->array.items = items;
        items[a->array.n_items++] = item;
        return 0;
}

/* ---- growable text ---- */

typedef struct text_buf {
        char *data;
        size_t len;
        size_t n_allocated;
} text_buf;

static void text_buf_clear(text_buf *b) {
        free(b->data);
        *b = (text_buf){};
}

static int text_buf_append(text_buf *b, const void *s, size_t n) {
        if (n > SIZE_MAX - b->len - 1)
                return -ENOMEM;
        char *data = grow_array(b->data, &b->n_allocated, b->len + n + 1, 1);
        if (data == NULL)
                return -ENOMEM;
        b->data = data;
        memcpy(data + b->len, s, n);
        b->len += n;
        data[b->len] = '\0';
        return 0;
}

static int text_buf_putc(text_buf *b, char c) {
        return text_buf_append(b, &c, 1);
}

/* Hands out the text, never NULL even when empty. */
static int text_buf_take(text_buf *b, char **ret, size_t *ret_len) {
        if (b->data == NULL) {
                b->data = strdup("");
                if (b->data == NULL)
                        return -ENOMEM;
        }
        *ret_len = b->len;
        *ret = b->data;
        *b = (text_buf){};
        return 0;
}

/* ---- parser ---- */

typedef struct parser {
        const char *data;
        size_t len;
        size_t pos;
        const char *name;
        nvct_error **err;
} parser;

static int peek_at(const parser *p, size_t offset) {
        if (offset >= p->len - p->pos || p->pos >= p->len)
                return -1;
        return (unsigned char)p->data[p->pos + offset];
}

static int peek(const parser *p) {
        return peek_at(p, 0);
}

static bool is_digit(int c) {
        return c >= '0' && c <= '9';
}

static bool is_hex_digit(int c) {
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_bare_key_char(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
               c == '-';
}

static bool is_control(int c) {
        /* Tab is the one control character allowed in strings and comments. */
        return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

static int parser_fail(parser *p, size_t pos, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int parser_fail(parser *p, size_t pos, const char *fmt, ...) {
        char what[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);

        /* Columns count characters, not bytes; the text was validated as
         * UTF-8 before anything can fail past it. */
        size_t line = 1, column = 1;
        for (size_t i = 0; i < pos && i < p->len; i++) {
                if (p->data[i] == '\n') {
                        line++;
                        column = 1;
                } else if (((unsigned char)p->data[i] & 0xc0) != 0x80)
                        column++;
        }
        return nvct_error_make(p->err, 0, "%s:%zu:%zu: %s", p->name, line, column, what);
}

static int parser_oom(parser *p) {
        return nvct_error_make(p->err, ENOMEM, "%s: cannot parse", p->name);
}

/* Describes the character at pos for an error message. */
static const char *describe_at(const parser *p, size_t pos, char buf[static 32]) {
        if (pos >= p->len)
                return "end of input";

        unsigned char c = (unsigned char)p->data[pos];
        if (c == '\n')
                return "newline";
        if (c == '\r')
                return "carriage return";
        if (c >= 0x20 && c < 0x7f)
                snprintf(buf, 32, "'%c'", c);
        else if (c < 0x80)
                snprintf(buf, 32, "control character U+%04X", c);
        else {
                /* Valid UTF-8 by now: decode it to name the code point. */
                unsigned n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
                uint32_t cp = c & (0x7fu >> n);
                for (unsigned k = 1; k < n && pos + k < p->len; k++)
                        cp = cp << 6 | ((unsigned char)p->data[pos + k] & 0x3fu);
                snprintf(buf, 32, "character U+%04X", (unsigned)cp);
        }
        return buf;
}

/* Formats a key for an error message: quoted, control characters escaped,
 * long keys shortened at a character boundary. */
static const char *describe_key(const char *key, size_t len, char buf[static 80]) {
        size_t n = 0;
        buf[n++] = '\'';
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)key[i];
                if (n > 64) {
                        /* Do not cut a multi-byte character in half. */
                        while (n > 1 && ((unsigned char)buf[n - 1] & 0xc0) == 0x80)
                                n--;
                        if (n > 1 && (unsigned char)buf[n - 1] >= 0xc0)
                                n--;
                        memcpy(buf + n, "...", 3);
                        n += 3;
                        break;
                }
                if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\')
                        n += (size_t)snprintf(buf + n, 80 - n, "\\x%02x", c);
                else
                        buf[n++] = (char)c;
        }
        buf[n++] = '\'';
        buf[n] = '\0';
        return buf;
}

static const char *value_kind(const nvct_toml_value *v) {
        switch (v->type) {
        case NVCT_TOML_TABLE:
                return (v->flags & TABLE_INLINE) ? "an inline table" : "a table";
        case NVCT_TOML_ARRAY:
                return (v->flags & ARRAY_OF_TABLES) ? "an array of tables" : "an array";
        case NVCT_TOML_STRING:
                return "a string";
        case NVCT_TOML_INTEGER:
                return "an integer";
        case NVCT_TOML_FLOAT:
                return "a float";
        case NVCT_TOML_BOOL:
                return "a bool";
        default:
                return "a date/time";
        }
}

/* The whole document must be UTF-8 without NUL bytes; checking it up front
 * lets everything else work on bytes. */
static int validate_encoding(parser *p) {
        const unsigned char *d = (const unsigned char *)p->data;

        for (size_t i = 0; i < p->len;) {
                unsigned char c = d[i];
                if (c == 0)
                        return parser_fail(p, i, "NUL byte");
                if (c < 0x80) {
                        i++;
                        continue;
                }

                static const char *const why[] = {
                        [NVCT_UTF8_TRUNCATED] = "truncated UTF-8 sequence",
                        [NVCT_UTF8_BAD_CONTINUATION] = "invalid UTF-8 sequence",
                        [NVCT_UTF8_OVERLONG] = "overlong UTF-8 sequence",
                        [NVCT_UTF8_NOT_SCALAR] = "UTF-8 sequence encodes no Unicode scalar value",
                };
                nvct_utf8_status status = NVCT_UTF8_OK;
                size_t n = nvct_utf8_decode(d + i, p->len - i, NULL, &status);
                if (n == 0 && status == NVCT_UTF8_BAD_LEAD)
                        return parser_fail(p, i, "invalid UTF-8 byte 0x%02x", c);
                if (n == 0)
                        return parser_fail(p, i, "%s", why[status]);
                i += n;
        }
        return 0;
}

static void skip_whitespace(parser *p) {
        while (p->pos < p->len && (p->data[p->pos] == ' ' || p->data[p->pos] == '\t'))
                p->pos++;
}

static bool consume_newline(parser *p) {
        int c = peek(p);
        if (c == '\n') {
                p->pos++;
                return true;
        }
        if (c == '\r' && peek_at(p, 1) == '\n') {
                p->pos += 2;
                return true;
        }
        return false;
}

/* At '#': skips to the end of the line, leaving the newline. */
static int skip_comment(parser *p) {
        for (p->pos++; p->pos < p->len; p->pos++) {
                int c = (unsigned char)p->data[p->pos];
                if (c == '\n' || (c == '\r' && peek_at(p, 1) == '\n'))
                        break;
                if (is_control(c))
                        return parser_fail(p, p->pos, "control character U+%04X in comment",
                                           (unsigned)c);
        }
        return 0;
}

/* After a key/value pair or a header only whitespace and a comment may
 * follow on the line. */
static int expect_line_end(parser *p, const char *after) {
        skip_whitespace(p);
        if (peek(p) == '#') {
                int r = skip_comment(p);
                if (r < 0)
                        return r;
        }
        if (p->pos >= p->len || consume_newline(p))
                return 0;

        char buf[32];
        return parser_fail(p, p->pos, "unexpected %s after %s, expected end of line",
                           describe_at(p, p->pos, buf), after);
}

/* Inside arrays, values may be separated by newlines and comments too. */
static int skip_whitespace_comments_newlines(parser *p) {
        for (;;) {
                skip_whitespace(p);
                if (peek(p) == '#') {
                        int r = skip_comment(p);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!consume_newline(p))
                        return 0;
        }
}

/* ---- strings ---- */

static int append_utf8(text_buf *b, uint32_t cp) {
        char s[4];
        return text_buf_append(b, s, nvct_utf8_encode(cp, s));
}

/* At the character after a backslash in a basic string. */
static int parse_escape(parser *p, bool multiline, text_buf *out) {
        size_t start = p->pos - 1;
        int c = peek(p);
        const char *simple = NULL;

        switch (c) {
        case 'b':
                simple = "\b";
                break;
        case 't':
                simple = "\t";
                break;
        case 'n':
                simple = "\n";
                break;
        case 'f':
                simple = "\f";
                break;
        case 'r':
                simple = "\r";
                break;
        case '"':
                simple = "\"";
                break;
        case '\\':
                simple = "\\";
                break;
        case 'u':
        case 'U': {
                size_t n_digits = c == 'u' ? 4 : 8;
                uint32_t cp = 0;
                p->pos++;
                for (size_t i = 0; i < n_digits; i++) {
                        int d = peek(p);
                        if (!is_hex_digit(d))
                                return parser_fail(p, start, "\\%c escape needs %zu hex digits", c,
                                                   n_digits);
                        cp = cp << 4 | (uint32_t)(is_digit(d) ? d - '0' : (d | 0x20) - 'a' + 10);
                        p->pos++;
                }
                if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return parser_fail(p, start,
                                           "escape \\%c%0*X is not a Unicode scalar value", c,
                                           (int)n_digits, (unsigned)cp);
                return append_utf8(out, cp) < 0 ? parser_oom(p) : 0;
        }
        default:
                break;
        }

        if (simple != NULL) {
                p->pos++;
                return text_buf_putc(out, simple[0]) < 0 ? parser_oom(p) : 0;
        }

        if (multiline && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
                /* Line-ending backslash: only whitespace may stand between it
                 * and the newline; then all whitespace and newlines go. */
                skip_whitespace(p);
                if (!consume_newline(p))
                        return parser_fail(p, start,
                                           "backslash followed by whitespace must end the line");
                for (;;) {
                        skip_whitespace(p);
                        if (!consume_newline(p))
                                return 0;
                }
        }

        char buf[32];
        return parser_fail(p, start, "invalid escape sequence: backslash followed by %s",
                           describe_at(p, p->pos, buf));
}

/* At an opening quote. Multi-line strings are refused unless allowed (keys).
 * Newlines in multi-line strings are normalised to LF. */
static int parse_string(parser *p, bool allow_multiline, char **ret, size_t *ret_len) {
        _cleanup_(text_buf_clear) text_buf out = {};
        size_t start = p->pos;
        char quote = p->data[p->pos];
        bool literal = quote == '\'';
        bool multiline = peek_at(p, 1) == quote && peek_at(p, 2) == quote;

        if (multiline) {
                if (!allow_multiline)
                        return parser_fail(p, start, "a multi-line string cannot be a key");
                p->pos += 3;
                /* A newline right after the opening delimiter is trimmed. */
                (void)consume_newline(p);
        } else
                p->pos++;

        for (;;) {
                if (p->pos >= p->len)
                        return parser_fail(p, start, "unterminated string");

                int c = (unsigned char)p->data[p->pos];
                if (c == quote) {
                        if (!multiline) {
                                p->pos++;
                                break;
                        }
                        size_t run = 0;
                        while (peek_at(p, run) == quote)
                                run++;
                        if (run >= 3) {
                                /* Up to two quotes may sit right before the
                                 * closing delimiter and belong to the text. */
                                if (run > 5)
                                        return parser_fail(p, p->pos + 5,
                                                           "too many quotes at end of string");
                                if (text_buf_append(&out, p->data + p->pos, run - 3) < 0)
                                        return parser_oom(p);
                                p->pos += run;
                                break;
                        }
                        if (text_buf_append(&out, p->data + p->pos, run) < 0)
                                return parser_oom(p);
                        p->pos += run;
                        continue;
                }

                if (c == '\\' && !literal) {
                        p->pos++;
                        int r = parse_escape(p, multiline, &out);
                        if (r < 0)
                                return r;
                        continue;
                }

                if (c == '\n' || c == '\r') {
                        if (!multiline)
                                return parser_fail(p, p->pos, "newline in single-line string");
                        if (!consume_newline(p))
                                return parser_fail(
                                        p, p->pos,
                                        "carriage return not followed by newline in string");
                        if (text_buf_putc(&out, '\n') < 0)
                                return parser_oom(p);
                        continue;
                }

                if (is_control(c))
                        return parser_fail(p, p->pos, "control character U+%04X in string",
                                           (unsigned)c);

                /* Copy a run of ordinary bytes at once. */
                size_t run_start = p->pos;
                while (p->pos < p->len) {
                        int d = (unsigned char)p->data[p->pos];
                        if (d == quote || (d == '\\' && !literal) || d == '\n' || d == '\r' ||
                            is_control(d))
                                break;
                        p->pos++;
                }
                if (text_buf_append(&out, p->data + run_start, p->pos - run_start) < 0)
                        return parser_oom(p);
        }

        if (text_buf_take(&out, ret, ret_len) < 0)
                return parser_oom(p);
        return 0;
}

/* ---- keys ---- */

typedef struct key_part {
        char *name;
        size_t len;
        size_t pos;
} key_part;

typedef struct toml_key {
        key_part *parts;
        size_t n_parts;
        size_t n_allocated;
} toml_key;

static void toml_key_clear(toml_key *k) {
        for (size_t i = 0; i < k->n_parts; i++)
                free(k->parts[i].name);
        free(k->parts);
        *k = (toml_key){};
}

static int parse_key(parser *p, toml_key *k) {
        for (;;) {
                skip_whitespace(p);

                size_t start = p->pos;
                int c = peek(p);
                _cleanup_free_ char *name = NULL;
                size_t len;

                if (is_bare_key_char(c)) {
                        while (is_bare_key_char(peek(p)))
                                p->pos++;
                        len = p->pos - start;
                        name = strndup(p->data + start, len);
                        if (name == NULL)
                                return parser_oom(p);
                } else if (c == '"' || c == '\'') {
                        int r = parse_string(p, false, &name, &len);
                        if (r < 0)
                                return r;
                } else {
                        char buf[32];
                        return parser_fail(p, start, "expected a key, found %s",
                                           describe_at(p, start, buf));
                }

                if (k->n_parts >= NVCT_TOML_MAX_DEPTH)
                        return parser_fail(p, start, "key has more than %d parts",
                                           NVCT_TOML_MAX_DEPTH);
                key_part *parts =
                        grow_array(k->parts, &k->n_allocated, k->n_parts + 1, sizeof(key_part));
                if (parts == NULL)
                        return parser_oom(p);
                k->parts = parts;
                parts[k->n_parts++] =
                        (key_part){ .name = TAKE_PTR(name), .len = len, .pos = start };

                skip_whitespace(p);
                if (peek(p) != '.')
                        return 0;
                p->pos++;
        }
}

/* Adds `value` under `part` (which must be absent), taking the part's name
 * and, on success, the value. */
static int table_add_part(parser *p, nvct_toml_value *table, key_part *part,
                          nvct_toml_value *value) {
        if (table_add(table, part->name, part->len, value) < 0)
                return parser_oom(p);
        part->name = NULL;
        return 0;
}

static int add_child_table(parser *p, nvct_toml_value *parent, key_part *part, unsigned flags,
                           nvct_toml_value **ret) {
        if (parent->depth >= NVCT_TOML_MAX_DEPTH)
                return parser_fail(p, part->pos, "tables nested deeper than %d levels",
                                   NVCT_TOML_MAX_DEPTH);

        _cleanup_toml_ nvct_toml_value *t = value_new(NVCT_TOML_TABLE);
        if (t == NULL)
                return parser_oom(p);
        t->flags = flags;
        t->depth = parent->depth + 1;

        int r = table_add_part(p, parent, part, t);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(t);
        return 0;
}

/* ---- values ---- */

static int parse_value(parser *p, unsigned depth, nvct_toml_value **ret);

static int parse_keyval(parser *p, nvct_toml_value *table) {
        _cleanup_(toml_key_clear) toml_key key = {};
        char buf[80];
        int r;

        r = parse_key(p, &key);
        if (r < 0)
                return r;
        if (peek(p) != '=') {
                char cbuf[32];
                return parser_fail(p, p->pos, "expected '=' after key, found %s",
                                   describe_at(p, p->pos, cbuf));
        }
        p->pos++;
        skip_whitespace(p);

        /* Dotted keys create tables, or extend tables that dotted keys
         * created; never tables from headers, inline tables or arrays. */
        nvct_toml_value *parent = table;
        for (size_t i = 0; i + 1 < key.n_parts; i++) {
                key_part *part = &key.parts[i];
                nvct_toml_value *child = table_find(parent, part->name, part->len);

                if (child == NULL) {
                        r = add_child_table(p, parent, part, TABLE_DOTTED, &child);
                        if (r < 0)
                                return r;
                } else if (child->type != NVCT_TOML_TABLE || (child->flags & TABLE_INLINE))
                        return parser_fail(p, part->pos,
                                           "key %s is already defined as %s, cannot add keys to it",
                                           describe_key(part->name, part->len, buf),
                                           value_kind(child));
                else if (!(child->flags & TABLE_DOTTED))
                        return parser_fail(p, part->pos,
                                           "table %s was created by a table header, dotted keys "
                                           "cannot extend it",
                                           describe_key(part->name, part->len, buf));
                parent = child;
        }

        key_part *last = &key.parts[key.n_parts - 1];
        if (table_find(parent, last->name, last->len) != NULL)
                return parser_fail(p, last->pos, "duplicate key %s",
                                   describe_key(last->name, last->len, buf));

        _cleanup_toml_ nvct_toml_value *value = NULL;
        r = parse_value(p, parent->depth + 1, &value);
        if (r < 0)
                return r;
        r = table_add_part(p, parent, last, value);
        if (r < 0)
                return r;
        TAKE_PTR(value);
        return 0;
}

static int parse_array(parser *p, unsigned depth, nvct_toml_value **ret) {
        size_t start = p->pos;
        int r;

        if (depth > NVCT_TOML_MAX_DEPTH)
                return parser_fail(p, start, "arrays and tables nested deeper than %d levels",
                                   NVCT_TOML_MAX_DEPTH);

        _cleanup_toml_ nvct_toml_value *array = value_new(NVCT_TOML_ARRAY);
        if (array == NULL)
                return parser_oom(p);
        array->depth = depth;
        p->pos++;

        for (;;) {
                r = skip_whitespace_comments_newlines(p);
                if (r < 0)
                        return r;
                if (peek(p) == ']') {
                        p->pos++;
                        break;
                }

                _cleanup_toml_ nvct_toml_value *item = NULL;
                r = parse_value(p, depth + 1, &item);
                if (r < 0)
                        return r;
                if (array_append(array, item) < 0)
                        return parser_oom(p);
                TAKE_PTR(item);

                r = skip_whitespace_comments_newlines(p);
                if (r < 0)
                        return r;
                int c = peek(p);
                if (c == ',') {
                        p->pos++;
                        continue;
                }
                if (c == ']') {
                        p->pos++;
                        break;
                }
                if (c < 0)
                        return parser_fail(p, start, "unterminated array");
                char buf[32];
                return parser_fail(p, p->pos, "expected ',' or ']' in array, found %s",
                                   describe_at(p, p->pos, buf));
        }

        *ret = TAKE_PTR(array);
        return 0;
}

static int parse_inline_table(parser *p, unsigned depth, nvct_toml_value **ret) {
        size_t start = p->pos;
        char buf[32];
        int r;

        if (depth > NVCT_TOML_MAX_DEPTH)
                return parser_fail(p, start, "arrays and tables nested deeper than %d levels",
                                   NVCT_TOML_MAX_DEPTH);

        _cleanup_toml_ nvct_toml_value *table = value_new(NVCT_TOML_TABLE);
        if (table == NULL)
                return parser_oom(p);
        table->depth = depth;
        p->pos++;

        skip_whitespace(p);
        if (peek(p) == '}')
                p->pos++;
        else
                for (;;) {
                        r = parse_keyval(p, table);
                        if (r < 0)
                                return r;
                        skip_whitespace(p);
                        int c = peek(p);
                        if (c == ',') {
                                p->pos++;
                                skip_whitespace(p);
                                if (peek(p) == '}')
                                        return parser_fail(p, p->pos,
                                                           "trailing comma in inline table");
                                continue;
                        }
                        if (c == '}') {
                                p->pos++;
                                break;
                        }
                        if (c < 0)
                                return parser_fail(p, start, "unterminated inline table");
                        return parser_fail(p, p->pos,
                                           "expected ',' or '}' in inline table, found %s",
                                           describe_at(p, p->pos, buf));
                }

        /* Closed: neither headers nor dotted keys may add to it now. Tables
         * nested in it are reachable only through it. */
        table->flags |= TABLE_INLINE;
        *ret = TAKE_PTR(table);
        return 0;
}

/* Reads exactly n decimal digits. */
static bool read_fixed_digits(parser *p, size_t n, unsigned *ret) {
        unsigned v = 0;
        for (size_t i = 0; i < n; i++) {
                int c = peek_at(p, i);
                if (!is_digit(c))
                        return false;
                v = v * 10 + (unsigned)(c - '0');
        }
        if (is_digit(peek_at(p, n)))
                return false;
        p->pos += n;
        *ret = v;
        return true;
}

static bool is_leap_year(unsigned year) {
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static unsigned days_in_month(unsigned year, unsigned month) {
        static const unsigned days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        if (month == 2 && is_leap_year(year))
                return 29;
        return days[month - 1];
}

static int parse_time(parser *p, size_t start, text_buf *out) {
        unsigned hour, minute, second;

        if (!read_fixed_digits(p, 2, &hour) || peek(p) != ':')
                return parser_fail(p, start, "invalid time: expected HH:MM:SS");
        p->pos++;
        if (!read_fixed_digits(p, 2, &minute))
                return parser_fail(p, start, "invalid time: expected HH:MM:SS");
        if (peek(p) != ':')
                return parser_fail(p, start, "invalid time: seconds are required");
        p->pos++;
        if (!read_fixed_digits(p, 2, &second))
                return parser_fail(p, start, "invalid time: expected HH:MM:SS");
        if (hour > 23 || minute > 59 || second > 60)
                return parser_fail(p, start, "invalid time: %02u:%02u:%02u is out of range", hour,
                                   minute, second);

        char text[16];
        snprintf(text, sizeof(text), "%02u:%02u:%02u", hour, minute, second);
        if (text_buf_append(out, text, strlen(text)) < 0)
                return parser_oom(p);

        if (peek(p) == '.') {
                size_t frac_start = p->pos++;
                if (!is_digit(peek(p)))
                        return parser_fail(p, start, "invalid time: expected digits after '.'");
                while (is_digit(peek(p)))
                        p->pos++;
                if (text_buf_append(out, p->data + frac_start, p->pos - frac_start) < 0)
                        return parser_oom(p);
        }
        return 0;
}

static int parse_datetime(parser *p, nvct_toml_value **ret) {
        _cleanup_(text_buf_clear) text_buf text = {};
        size_t start = p->pos;
        nvct_toml_type type;
        int r;

        if (peek_at(p, 2) == ':') {
                r = parse_time(p, start, &text);
                if (r < 0)
                        return r;
                type = NVCT_TOML_TIME_LOCAL;
        } else {
                unsigned year, month, day;
                if (!read_fixed_digits(p, 4, &year) || peek(p) != '-')
                        return parser_fail(p, start, "invalid date: expected YYYY-MM-DD");
                p->pos++;
                if (!read_fixed_digits(p, 2, &month) || peek(p) != '-')
                        return parser_fail(p, start, "invalid date: expected YYYY-MM-DD");
                p->pos++;
                if (!read_fixed_digits(p, 2, &day))
                        return parser_fail(p, start, "invalid date: expected YYYY-MM-DD");
                if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
                        return parser_fail(p, start, "invalid date: %04u-%02u-%02u does not exist",
                                           year, month, day);

                char date[32]; /* room for any unsigned, though each field is range-checked */
                snprintf(date, sizeof(date), "%04u-%02u-%02u", year, month, day);
                if (text_buf_append(&text, date, strlen(date)) < 0)
                        return parser_oom(p);

                int c = peek(p);
                bool has_time = c == 'T' || c == 't' ||
                                (c == ' ' && is_digit(peek_at(p, 1)) && is_digit(peek_at(p, 2)) &&
                                 peek_at(p, 3) == ':');
                if (!has_time)
                        type = NVCT_TOML_DATE_LOCAL;
                else {
                        p->pos++;
                        if (text_buf_putc(&text, 'T') < 0)
                                return parser_oom(p);
                        r = parse_time(p, start, &text);
                        if (r < 0)
                                return r;

                        c = peek(p);
                        if (c == 'Z' || c == 'z') {
                                p->pos++;
                                if (text_buf_putc(&text, 'Z') < 0)
                                        return parser_oom(p);
                                type = NVCT_TOML_DATETIME;
                        } else if (c == '+' || c == '-') {
                                unsigned offset_hour, offset_minute;
                                p->pos++;
                                if (!read_fixed_digits(p, 2, &offset_hour) || peek(p) != ':')
                                        return parser_fail(p, start,
                                                           "invalid time offset: expected +HH:MM");
                                p->pos++;
                                if (!read_fixed_digits(p, 2, &offset_minute))
                                        return parser_fail(p, start,
                                                           "invalid time offset: expected +HH:MM");
                                if (offset_hour > 23 || offset_minute > 59)
                                        return parser_fail(p, start,
                                                           "invalid time offset: out of range");
                                char offset[16];
                                snprintf(offset, sizeof(offset), "%c%02u:%02u", c, offset_hour,
                                         offset_minute);
                                if (text_buf_append(&text, offset, strlen(offset)) < 0)
                                        return parser_oom(p);
                                type = NVCT_TOML_DATETIME;
                        } else
                                type = NVCT_TOML_DATETIME_LOCAL;
                }
        }

        _cleanup_toml_ nvct_toml_value *v = value_new(type);
        if (v == NULL)
                return parser_oom(p);
        if (text_buf_take(&text, &v->string.text, &v->string.len) < 0)
                return parser_oom(p);
        *ret = TAKE_PTR(v);
        return 0;
}

static int digit_value(int c, unsigned base) {
        int v;
        if (is_digit(c))
                v = c - '0';
        else if (c >= 'a' && c <= 'f')
                v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
                v = c - 'A' + 10;
        else
                return -1;
        return v < (int)base ? v : -1;
}

/* Reads digits of `base` where single underscores may separate digits;
 * the caller checked that the first one is a digit. The digits, without
 * underscores, go to out. */
static int read_digits(parser *p, unsigned base, text_buf *out) {
        size_t run_start = p->pos;

        for (;;) {
                int c = peek(p);
                if (digit_value(c, base) >= 0) {
                        p->pos++;
                        continue;
                }
                if (c == '_') {
                        if (text_buf_append(out, p->data + run_start, p->pos - run_start) < 0)
                                return parser_oom(p);
                        if (digit_value(peek_at(p, 1), base) < 0)
                                return parser_fail(p, p->pos,
                                                   "'_' in a number must stand between digits");
                        p->pos++;
                        run_start = p->pos;
                        continue;
                }
                break;
        }
        if (text_buf_append(out, p->data + run_start, p->pos - run_start) < 0)
                return parser_oom(p);
        return 0;
}

static int make_integer(parser *p, int64_t i, nvct_toml_value **ret) {
        nvct_toml_value *v = value_new(NVCT_TOML_INTEGER);
        if (v == NULL)
                return parser_oom(p);
        v->integer = i;
        *ret = v;
        return 0;
}

static int make_float(parser *p, double d, nvct_toml_value **ret) {
        nvct_toml_value *v = value_new(NVCT_TOML_FLOAT);
        if (v == NULL)
                return parser_oom(p);
        v->number = d;
        *ret = v;
        return 0;
}

static int parse_number(parser *p, nvct_toml_value **ret) {
        _cleanup_(text_buf_clear) text_buf digits = {};
        size_t start = p->pos;
        bool negative = false, has_sign = false;
        int r;

        int c = peek(p);
        if (c == '+' || c == '-') {
                negative = c == '-';
                has_sign = true;
                p->pos++;
        }

        if (p->len - p->pos >= 3 &&
            (memcmp(p->data + p->pos, "inf", 3) == 0 || memcmp(p->data + p->pos, "nan", 3) == 0)) {
                bool is_nan = p->data[p->pos] == 'n';
                p->pos += 3;
                double d = is_nan ? NAN : INFINITY;
                return make_float(p, negative ? -d : d, ret);
        }

        if (!has_sign && peek(p) == '0' &&
            (peek_at(p, 1) == 'x' || peek_at(p, 1) == 'o' || peek_at(p, 1) == 'b')) {
                int prefix = peek_at(p, 1);
                unsigned base = prefix == 'x' ? 16 : prefix == 'o' ? 8 : 2;
                p->pos += 2;
                if (digit_value(peek(p), base) < 0)
                        return parser_fail(p, start, "expected digits after '0%c'", prefix);
                r = read_digits(p, base, &digits);
                if (r < 0)
                        return r;

                uint64_t acc = 0;
                for (size_t i = 0; i < digits.len; i++) {
                        unsigned d = (unsigned)digit_value((unsigned char)digits.data[i], base);
                        if (acc > ((uint64_t)INT64_MAX - d) / base)
                                return parser_fail(p, start, "integer does not fit in 64 bits");
                        acc = acc * base + d;
                }
                return make_integer(p, (int64_t)acc, ret);
        }

        if (!is_digit(peek(p)))
                return parser_fail(p, start, "invalid number");
        if (peek(p) == '0' && (is_digit(peek_at(p, 1)) || peek_at(p, 1) == '_'))
                return parser_fail(p, start, "leading zeros are not allowed");
        r = read_digits(p, 10, &digits);
        if (r < 0)
                return r;
        size_t n_integer_digits = digits.len;

        bool is_float = false;
        if (peek(p) == '.') {
                is_float = true;
                p->pos++;
                if (!is_digit(peek(p)))
                        return parser_fail(p, start, "expected a digit after the decimal point");
                if (text_buf_putc(&digits, '.') < 0)
                        return parser_oom(p);
                r = read_digits(p, 10, &digits);
                if (r < 0)
                        return r;
        }
        c = peek(p);
        if (c == 'e' || c == 'E') {
                is_float = true;
                p->pos++;
                if (text_buf_putc(&digits, 'e') < 0)
                        return parser_oom(p);
                c = peek(p);
                if (c == '+' || c == '-') {
                        if (text_buf_putc(&digits, (char)c) < 0)
                                return parser_oom(p);
                        p->pos++;
                }
                if (!is_digit(peek(p)))
                        return parser_fail(p, start, "expected digits in the exponent");
                r = read_digits(p, 10, &digits);
                if (r < 0)
                        return r;
        }

        if (!is_float) {
                uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
                uint64_t acc = 0;
                for (size_t i = 0; i < n_integer_digits; i++) {
                        unsigned d = (unsigned)(digits.data[i] - '0');
                        if (acc > (limit - d) / 10)
                                return parser_fail(p, start, "integer does not fit in 64 bits");
                        acc = acc * 10 + d;
                }
                int64_t i = acc > (uint64_t)INT64_MAX ? INT64_MIN
                            : negative                ? -(int64_t)acc
                                                      : (int64_t)acc;
                return make_integer(p, i, ret);
        }

        /* strtod() honours the locale's decimal point, so spell it that way. */
        _cleanup_(text_buf_clear) text_buf number = {};
        const char *decimal_point = localeconv()->decimal_point;
        if (decimal_point == NULL || decimal_point[0] == '\0')
                decimal_point = ".";
        if (negative && text_buf_putc(&number, '-') < 0)
                return parser_oom(p);
        for (size_t i = 0; i < digits.len; i++) {
                if (digits.data[i] == '.')
                        r = text_buf_append(&number, decimal_point, strlen(decimal_point));
                else
                        r = text_buf_putc(&number, digits.data[i]);
                if (r < 0)
                        return parser_oom(p);
        }

        char *end = NULL;
        errno = 0;
        double d = strtod(number.data, &end);
        if (end == NULL || *end != '\0')
                return parser_fail(p, start, "invalid float");
        if (errno == ERANGE && isinf(d))
                return parser_fail(p, start, "float out of range");
        return make_float(p, d, ret);
}

static int parse_value(parser *p, unsigned depth, nvct_toml_value **ret) {
        size_t start = p->pos;
        int c = peek(p);
        char buf[32];

        switch (c) {
        case '"':
        case '\'': {
                _cleanup_free_ char *s = NULL;
                size_t len;
                int r = parse_string(p, true, &s, &len);
                if (r < 0)
                        return r;
                nvct_toml_value *v = value_new(NVCT_TOML_STRING);
                if (v == NULL)
                        return parser_oom(p);
                v->string.text = TAKE_PTR(s);
                v->string.len = len;
                *ret = v;
                return 0;
        }
        case 't':
        case 'f': {
                bool b = c == 't';
                const char *word = b ? "true" : "false";
                size_t n = strlen(word);
                if (p->len - p->pos < n || memcmp(p->data + p->pos, word, n) != 0)
                        break;
                p->pos += n;
                nvct_toml_value *v = value_new(NVCT_TOML_BOOL);
                if (v == NULL)
                        return parser_oom(p);
                v->boolean = b;
                *ret = v;
                return 0;
        }
        case '[':
                return parse_array(p, depth, ret);
        case '{':
                return parse_inline_table(p, depth, ret);
        case 'i':
        case 'n':
        case '+':
        case '-':
                return parse_number(p, ret);
        default:
                if (!is_digit(c))
                        break;
                /* Dates start with four digits and '-', times with two and
                 * ':'; anything else is a number. */
                if ((is_digit(peek_at(p, 1)) && is_digit(peek_at(p, 2)) &&
                     is_digit(peek_at(p, 3)) && peek_at(p, 4) == '-') ||
                    (is_digit(peek_at(p, 1)) && peek_at(p, 2) == ':'))
                        return parse_datetime(p, ret);
                return parse_number(p, ret);
        }

        return parser_fail(p, start, "expected a value, found %s", describe_at(p, start, buf));
}

/* ---- table headers ---- */

static int parse_table_header(parser *p, nvct_toml_value *root, nvct_toml_value **ret_current) {
        _cleanup_(toml_key_clear) toml_key key = {};
        char buf[80];
        int r;

        bool is_array = peek_at(p, 1) == '[';
        p->pos += is_array ? 2 : 1;

        r = parse_key(p, &key);
        if (r < 0)
                return r;
        if (peek(p) != ']' || (is_array && peek_at(p, 1) != ']')) {
                char cbuf[32];
                return parser_fail(p, p->pos, "expected '%s' to close the table header, found %s",
                                   is_array ? "]]" : "]", describe_at(p, p->pos, cbuf));
        }
        p->pos += is_array ? 2 : 1;
        r = expect_line_end(p, "table header");
        if (r < 0)
                return r;

        /* Intermediate keys may name any table but an inline one, or an
         * array of tables (meaning its last element). */
        nvct_toml_value *parent = root;
        for (size_t i = 0; i + 1 < key.n_parts; i++) {
                key_part *part = &key.parts[i];
                nvct_toml_value *child = table_find(parent, part->name, part->len);

                if (child == NULL) {
                        r = add_child_table(p, parent, part, TABLE_IMPLICIT, &child);
                        if (r < 0)
                                return r;
                } else if (child->type == NVCT_TOML_ARRAY && (child->flags & ARRAY_OF_TABLES))
                        child = child->array.items[child->array.n_items - 1];
                else if (child->type != NVCT_TOML_TABLE || (child->flags & TABLE_INLINE))
                        return parser_fail(
                                p, part->pos,
                                "key %s is already defined as %s, cannot add a table to it",
                                describe_key(part->name, part->len, buf), value_kind(child));
                parent = child;
        }

        key_part *last = &key.parts[key.n_parts - 1];
        nvct_toml_value *existing = table_find(parent, last->name, last->len);

        if (!is_array) {
                if (existing == NULL) {
                        r = add_child_table(p, parent, last, TABLE_DEFINED, ret_current);
                        if (r < 0)
                                return r;
                        return 0;
                }
                if (existing->type != NVCT_TOML_TABLE || (existing->flags & TABLE_INLINE))
                        return parser_fail(p, last->pos, "key %s is already defined as %s",
                                           describe_key(last->name, last->len, buf),
                                           value_kind(existing));
                if (existing->flags & TABLE_DEFINED)
                        return parser_fail(p, last->pos, "table %s is defined twice",
                                           describe_key(last->name, last->len, buf));
                if (existing->flags & TABLE_DOTTED)
                        return parser_fail(
                                p, last->pos,
                                "table %s was defined by dotted keys, cannot redefine it",
                                describe_key(last->name, last->len, buf));
                existing->flags |= TABLE_DEFINED;
                *ret_current = existing;
                return 0;
        }

        if (existing == NULL) {
                if (parent->depth + 1 >= NVCT_TOML_MAX_DEPTH)
                        return parser_fail(p, last->pos, "tables nested deeper than %d levels",
                                           NVCT_TOML_MAX_DEPTH);
                _cleanup_toml_ nvct_toml_value *array = value_new(NVCT_TOML_ARRAY);
                if (array == NULL)
                        return parser_oom(p);
                array->flags = ARRAY_OF_TABLES;
                array->depth = parent->depth + 1;
                r = table_add_part(p, parent, last, array);
                if (r < 0)
                        return r;
                existing = TAKE_PTR(array);
        } else if (existing->type != NVCT_TOML_ARRAY || !(existing->flags & ARRAY_OF_TABLES))
                return parser_fail(p, last->pos,
                                   "key %s is already defined as %s, not an array of tables",
                                   describe_key(last->name, last->len, buf), value_kind(existing));

        _cleanup_toml_ nvct_toml_value *element = value_new(NVCT_TOML_TABLE);
        if (element == NULL)
                return parser_oom(p);
        element->flags = TABLE_DEFINED;
        element->depth = existing->depth + 1;
        if (array_append(existing, element) < 0)
                return parser_oom(p);
        *ret_current = TAKE_PTR(element);
        return 0;
}

/* ---- document ---- */

int nvct_toml_parse(const char *data, size_t len, const char *name, nvct_toml_value **ret_root,
                    nvct_error **err) {
        /* Security: the name (a config file's path, given with -config)
         * prefixes every message: quoted, so that a newline or an escape
         * sequence in it shows as such. */
        _cleanup_free_ char *quoted_name = name != NULL ? nvct_quote_path(name) : NULL;
        if (name != NULL && quoted_name == NULL)
                return nvct_error_make(err, ENOMEM, "cannot parse");
        parser p = {
                .data = data,
                .len = data != NULL ? len : 0,
                .name = quoted_name != NULL ? quoted_name : "<input>",
                .err = err,
        };
        int r;

        r = validate_encoding(&p);
        if (r < 0)
                return r;

        /* A byte order mark may open the document. */
        if (p.len >= 3 && memcmp(p.data, "\xef\xbb\xbf", 3) == 0)
                p.pos = 3;

        _cleanup_toml_ nvct_toml_value *root = value_new(NVCT_TOML_TABLE);
        if (root == NULL)
                return parser_oom(&p);
        root->flags = TABLE_DEFINED;
        nvct_toml_value *current = root;

        for (;;) {
                skip_whitespace(&p);
                if (p.pos >= p.len)
                        break;

                int c = peek(&p);
                if (c == '#')
                        r = skip_comment(&p);
                else if (consume_newline(&p))
                        r = 0;
                else if (c == '[') {
                        r = parse_table_header(&p, root, &current);
                } else {
                        r = parse_keyval(&p, current);
                        if (r >= 0)
                                r = expect_line_end(&p, "value");
                }
                if (r < 0)
                        return r;
        }

        *ret_root = TAKE_PTR(root);
        return 0;
}

/* ---- accessors ---- */

nvct_toml_type nvct_toml_type_of(const nvct_toml_value *v) {
        return v->type;
}

const char *nvct_toml_type_name(nvct_toml_type t) {
        switch (t) {
        case NVCT_TOML_TABLE:
                return "table";
        case NVCT_TOML_ARRAY:
                return "array";
        case NVCT_TOML_STRING:
                return "string";
        case NVCT_TOML_INTEGER:
                return "integer";
        case NVCT_TOML_FLOAT:
                return "float";
        case NVCT_TOML_BOOL:
                return "bool";
        case NVCT_TOML_DATETIME:
                return "datetime";
        case NVCT_TOML_DATETIME_LOCAL:
                return "datetime-local";
        case NVCT_TOML_DATE_LOCAL:
                return "date-local";
        case NVCT_TOML_TIME_LOCAL:
                return "time-local";
        }
        return "unknown";
}

size_t nvct_toml_table_size(const nvct_toml_value *table) {
        if (table == NULL || table->type != NVCT_TOML_TABLE)
                return 0;
        return table->table.n_entries;
}

const char *nvct_toml_table_key(const nvct_toml_value *table, size_t i, size_t *ret_len) {
        if (table == NULL || table->type != NVCT_TOML_TABLE || i >= table->table.n_entries)
                return NULL;
        if (ret_len != NULL)
                *ret_len = table->table.entries[i].key_len;
        return table->table.entries[i].key;
}

const nvct_toml_value *nvct_toml_table_value(const nvct_toml_value *table, size_t i) {
        if (table == NULL || table->type != NVCT_TOML_TABLE || i >= table->table.n_entries)
                return NULL;
        return table->table.entries[i].value;
}

const nvct_toml_value *nvct_toml_table_get(const nvct_toml_value *table, const char *key) {
        if (table == NULL || table->type != NVCT_TOML_TABLE || key == NULL)
                return NULL;
        return table_find(table, key, strlen(key));
}

size_t nvct_toml_array_size(const nvct_toml_value *array) {
        if (array == NULL || array->type != NVCT_TOML_ARRAY)
                return 0;
        return array->array.n_items;
}

const nvct_toml_value *nvct_toml_array_get(const nvct_toml_value *array, size_t i) {
        if (array == NULL || array->type != NVCT_TOML_ARRAY || i >= array->array.n_items)
                return NULL;
        return array->array.items[i];
}

const char *nvct_toml_string(const nvct_toml_value *v, size_t *ret_len) {
        if (v == NULL || v->type != NVCT_TOML_STRING)
                return NULL;
        if (ret_len != NULL)
                *ret_len = v->string.len;
        return v->string.text;
}

int64_t nvct_toml_integer(const nvct_toml_value *v) {
        return v != NULL && v->type == NVCT_TOML_INTEGER ? v->integer : 0;
}

double nvct_toml_float(const nvct_toml_value *v) {
        return v != NULL && v->type == NVCT_TOML_FLOAT ? v->number : 0.0;
}

bool nvct_toml_bool(const nvct_toml_value *v) {
        return v != NULL && v->type == NVCT_TOML_BOOL ? v->boolean : false;
}

const char *nvct_toml_datetime(const nvct_toml_value *v) {
        if (v == NULL)
                return NULL;
        switch (v->type) {
        case NVCT_TOML_DATETIME:
        case NVCT_TOML_DATETIME_LOCAL:
        case NVCT_TOML_DATE_LOCAL:
        case NVCT_TOML_TIME_LOCAL:
                return v->string.text;
        default:
                return NULL;
        }
}

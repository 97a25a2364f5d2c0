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
#include "toml-internal.h"

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

int toml_parser_fail(parser *p, size_t pos, const char *fmt, ...) {
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

int toml_parser_oom(parser *p) {
        return nvct_error_make(p->err, ENOMEM, "%s: cannot parse", p->name);
}

/* Describes the character at pos for an error message. */
const char *toml_describe_at(const parser *p, size_t pos, char buf[static 32]) {
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
static const char *toml_describe_key(const char *key, size_t len, char buf[static 80]) {
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

static const char *toml_value_kind(const nvct_toml_value *v) {
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
                        return toml_parser_fail(p, i, "NUL byte");
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
                        return toml_parser_fail(p, i, "invalid UTF-8 byte 0x%02x", c);
                if (n == 0)
                        return toml_parser_fail(p, i, "%s", why[status]);
                i += n;
        }
        return 0;
}

void toml_skip_whitespace(parser *p) {
        while (p->pos < p->len && (p->data[p->pos] == ' ' || p->data[p->pos] == '\t'))
                p->pos++;
}

bool toml_consume_newline(parser *p) {
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
                        return toml_parser_fail(p, p->pos, "control character U+%04X in comment",
                                                (unsigned)c);
        }
        return 0;
}

/* After a key/value pair or a header only whitespace and a comment may
 * follow on the line. */
static int expect_line_end(parser *p, const char *after) {
        toml_skip_whitespace(p);
        if (peek(p) == '#') {
                int r = skip_comment(p);
                if (r < 0)
                        return r;
        }
        if (p->pos >= p->len || toml_consume_newline(p))
                return 0;

        char buf[32];
        return toml_parser_fail(p, p->pos, "unexpected %s after %s, expected end of line",
                                toml_describe_at(p, p->pos, buf), after);
}

/* Inside arrays, values may be separated by newlines and comments too. */
static int skip_whitespace_comments_newlines(parser *p) {
        for (;;) {
                toml_skip_whitespace(p);
                if (peek(p) == '#') {
                        int r = skip_comment(p);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!toml_consume_newline(p))
                        return 0;
        }
}

/* ---- keys ---- */

typedef struct key_part {
        char *name;
        size_t len;
        size_t pos;
} key_part;

/* Keys of up to KEY_INLINE_PARTS parts (config.toml's have at most four)
 * keep their parts in the key itself: no allocation a key. A toml_key is
 * never copied (parts may point into it). */
#define KEY_INLINE_PARTS 4

typedef struct toml_key {
        key_part *parts; /* NULL, inline_parts, or a heap array */
        size_t n_parts;
        size_t n_allocated;
        key_part inline_parts[KEY_INLINE_PARTS];
} toml_key;

static void toml_key_clear(toml_key *k) {
        for (size_t i = 0; i < k->n_parts; i++)
                free(k->parts[i].name);
        if (k->parts != k->inline_parts)
                free(k->parts);
        *k = (toml_key){};
}

/* Room for one more part: the inline array first, then the heap. */
static key_part *key_grow(toml_key *k) {
        if (k->parts == NULL) {
                k->parts = k->inline_parts;
                k->n_allocated = KEY_INLINE_PARTS;
        }
        if (k->n_parts < k->n_allocated)
                return k->parts;
        if (k->parts == k->inline_parts) {
                key_part *heap = malloc(2 * KEY_INLINE_PARTS * sizeof(key_part));
                if (heap == NULL)
                        return NULL;
                memcpy(heap, k->inline_parts, sizeof(k->inline_parts));
                k->parts = heap;
                k->n_allocated = 2 * KEY_INLINE_PARTS;
                return heap;
        }
        key_part *parts =
                toml_grow_array(k->parts, &k->n_allocated, k->n_parts + 1, sizeof(key_part));
        if (parts != NULL)
                k->parts = parts;
        return parts;
}

static int parse_key(parser *p, toml_key *k) {
        for (;;) {
                toml_skip_whitespace(p);

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
                                return toml_parser_oom(p);
                } else if (c == '"' || c == '\'') {
                        int r = toml_parse_string(p, false, &name, &len);
                        if (r < 0)
                                return r;
                } else {
                        char buf[32];
                        return toml_parser_fail(p, start, "expected a key, found %s",
                                                toml_describe_at(p, start, buf));
                }

                if (k->n_parts >= NVCT_TOML_MAX_DEPTH)
                        return toml_parser_fail(p, start, "key has more than %d parts",
                                                NVCT_TOML_MAX_DEPTH);
                key_part *parts = key_grow(k);
                if (parts == NULL)
                        return toml_parser_oom(p);
                parts[k->n_parts++] =
                        (key_part){ .name = TAKE_PTR(name), .len = len, .pos = start };

                toml_skip_whitespace(p);
                if (peek(p) != '.')
                        return 0;
                p->pos++;
        }
}

/* Adds `value` under `part` (which must be absent), taking the part's name
 * and, on success, the value. */
static int table_add_part(parser *p, nvct_toml_value *table, key_part *part,
                          nvct_toml_value *value) {
        if (toml_table_add(table, part->name, part->len, value) < 0)
                return toml_parser_oom(p);
        part->name = NULL;
        return 0;
}

static int add_child_table(parser *p, nvct_toml_value *parent, key_part *part, unsigned flags,
                           nvct_toml_value **ret) {
        if (parent->depth >= NVCT_TOML_MAX_DEPTH)
                return toml_parser_fail(p, part->pos, "tables nested deeper than %d levels",
                                        NVCT_TOML_MAX_DEPTH);

        _cleanup_toml_ nvct_toml_value *t = toml_value_new(NVCT_TOML_TABLE);
        if (t == NULL)
                return toml_parser_oom(p);
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
                return toml_parser_fail(p, p->pos, "expected '=' after key, found %s",
                                        toml_describe_at(p, p->pos, cbuf));
        }
        p->pos++;
        toml_skip_whitespace(p);

        /* Dotted keys create tables, or extend tables that dotted keys
         * created; never tables from headers, inline tables or arrays. */
        nvct_toml_value *parent = table;
        for (size_t i = 0; i + 1 < key.n_parts; i++) {
                key_part *part = &key.parts[i];
                nvct_toml_value *child = toml_table_find(parent, part->name, part->len);

                if (child == NULL) {
                        r = add_child_table(p, parent, part, TABLE_DOTTED, &child);
                        if (r < 0)
                                return r;
                } else if (child->type != NVCT_TOML_TABLE || (child->flags & TABLE_INLINE))
                        return toml_parser_fail(
                                p, part->pos,
                                "key %s is already defined as %s, cannot add keys to it",
                                toml_describe_key(part->name, part->len, buf),
                                toml_value_kind(child));
                else if (!(child->flags & TABLE_DOTTED))
                        return toml_parser_fail(
                                p, part->pos,
                                "table %s was created by a table header, dotted keys "
                                "cannot extend it",
                                toml_describe_key(part->name, part->len, buf));
                parent = child;
        }

        key_part *last = &key.parts[key.n_parts - 1];
        if (toml_table_find(parent, last->name, last->len) != NULL)
                return toml_parser_fail(p, last->pos, "duplicate key %s",
                                        toml_describe_key(last->name, last->len, buf));

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
                return toml_parser_fail(p, start, "arrays and tables nested deeper than %d levels",
                                        NVCT_TOML_MAX_DEPTH);

        _cleanup_toml_ nvct_toml_value *array = toml_value_new(NVCT_TOML_ARRAY);
        if (array == NULL)
                return toml_parser_oom(p);
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
                if (toml_array_append(array, item) < 0)
                        return toml_parser_oom(p);
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
                        return toml_parser_fail(p, start, "unterminated array");
                char buf[32];
                return toml_parser_fail(p, p->pos, "expected ',' or ']' in array, found %s",
                                        toml_describe_at(p, p->pos, buf));
        }

        *ret = TAKE_PTR(array);
        return 0;
}

static int parse_inline_table(parser *p, unsigned depth, nvct_toml_value **ret) {
        size_t start = p->pos;
        char buf[32];
        int r;

        if (depth > NVCT_TOML_MAX_DEPTH)
                return toml_parser_fail(p, start, "arrays and tables nested deeper than %d levels",
                                        NVCT_TOML_MAX_DEPTH);

        _cleanup_toml_ nvct_toml_value *table = toml_value_new(NVCT_TOML_TABLE);
        if (table == NULL)
                return toml_parser_oom(p);
        table->depth = depth;
        p->pos++;

        toml_skip_whitespace(p);
        if (peek(p) == '}')
                p->pos++;
        else
                for (;;) {
                        r = parse_keyval(p, table);
                        if (r < 0)
                                return r;
                        toml_skip_whitespace(p);
                        int c = peek(p);
                        if (c == ',') {
                                p->pos++;
                                toml_skip_whitespace(p);
                                if (peek(p) == '}')
                                        return toml_parser_fail(p, p->pos,
                                                                "trailing comma in inline table");
                                continue;
                        }
                        if (c == '}') {
                                p->pos++;
                                break;
                        }
                        if (c < 0)
                                return toml_parser_fail(p, start, "unterminated inline table");
                        return toml_parser_fail(p, p->pos,
                                                "expected ',' or '}' in inline table, found %s",
                                                toml_describe_at(p, p->pos, buf));
                }

        /* Closed: neither headers nor dotted keys may add to it now. Tables
         * nested in it are reachable only through it. */
        table->flags |= TABLE_INLINE;
        *ret = TAKE_PTR(table);
        return 0;
}

/* Reads exactly n decimal digits. */
static int parse_value(parser *p, unsigned depth, nvct_toml_value **ret) {
        size_t start = p->pos;
        int c = peek(p);
        char buf[32];

        switch (c) {
        case '"':
        case '\'': {
                _cleanup_free_ char *s = NULL;
                size_t len;
                int r = toml_parse_string(p, true, &s, &len);
                if (r < 0)
                        return r;
                nvct_toml_value *v = toml_value_new(NVCT_TOML_STRING);
                if (v == NULL)
                        return toml_parser_oom(p);
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
                nvct_toml_value *v = toml_value_new(NVCT_TOML_BOOL);
                if (v == NULL)
                        return toml_parser_oom(p);
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
                return toml_parse_number(p, ret);
        default:
                if (!is_digit(c))
                        break;
                /* Dates start with four digits and '-', times with two and
                 * ':'; anything else is a number. */
                if ((is_digit(peek_at(p, 1)) && is_digit(peek_at(p, 2)) &&
                     is_digit(peek_at(p, 3)) && peek_at(p, 4) == '-') ||
                    (is_digit(peek_at(p, 1)) && peek_at(p, 2) == ':'))
                        return toml_parse_datetime(p, ret);
                return toml_parse_number(p, ret);
        }

        return toml_parser_fail(p, start, "expected a value, found %s",
                                toml_describe_at(p, start, buf));
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
                return toml_parser_fail(p, p->pos,
                                        "expected '%s' to close the table header, found %s",
                                        is_array ? "]]" : "]", toml_describe_at(p, p->pos, cbuf));
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
                nvct_toml_value *child = toml_table_find(parent, part->name, part->len);

                if (child == NULL) {
                        r = add_child_table(p, parent, part, TABLE_IMPLICIT, &child);
                        if (r < 0)
                                return r;
                } else if (child->type == NVCT_TOML_ARRAY && (child->flags & ARRAY_OF_TABLES))
                        child = child->array.items[child->array.n_items - 1];
                else if (child->type != NVCT_TOML_TABLE || (child->flags & TABLE_INLINE))
                        return toml_parser_fail(
                                p, part->pos,
                                "key %s is already defined as %s, cannot add a table to it",
                                toml_describe_key(part->name, part->len, buf),
                                toml_value_kind(child));
                parent = child;
        }

        key_part *last = &key.parts[key.n_parts - 1];
        nvct_toml_value *existing = toml_table_find(parent, last->name, last->len);

        if (!is_array) {
                if (existing == NULL) {
                        r = add_child_table(p, parent, last, TABLE_DEFINED, ret_current);
                        if (r < 0)
                                return r;
                        return 0;
                }
                if (existing->type != NVCT_TOML_TABLE || (existing->flags & TABLE_INLINE))
                        return toml_parser_fail(p, last->pos, "key %s is already defined as %s",
                                                toml_describe_key(last->name, last->len, buf),
                                                toml_value_kind(existing));
                if (existing->flags & TABLE_DEFINED)
                        return toml_parser_fail(p, last->pos, "table %s is defined twice",
                                                toml_describe_key(last->name, last->len, buf));
                if (existing->flags & TABLE_DOTTED)
                        return toml_parser_fail(
                                p, last->pos,
                                "table %s was defined by dotted keys, cannot redefine it",
                                toml_describe_key(last->name, last->len, buf));
                existing->flags |= TABLE_DEFINED;
                *ret_current = existing;
                return 0;
        }

        if (existing == NULL) {
                if (parent->depth + 1 >= NVCT_TOML_MAX_DEPTH)
                        return toml_parser_fail(p, last->pos, "tables nested deeper than %d levels",
                                                NVCT_TOML_MAX_DEPTH);
                _cleanup_toml_ nvct_toml_value *array = toml_value_new(NVCT_TOML_ARRAY);
                if (array == NULL)
                        return toml_parser_oom(p);
                array->flags = ARRAY_OF_TABLES;
                array->depth = parent->depth + 1;
                r = table_add_part(p, parent, last, array);
                if (r < 0)
                        return r;
                existing = TAKE_PTR(array);
        } else if (existing->type != NVCT_TOML_ARRAY || !(existing->flags & ARRAY_OF_TABLES))
                return toml_parser_fail(
                        p, last->pos, "key %s is already defined as %s, not an array of tables",
                        toml_describe_key(last->name, last->len, buf), toml_value_kind(existing));

        _cleanup_toml_ nvct_toml_value *element = toml_value_new(NVCT_TOML_TABLE);
        if (element == NULL)
                return toml_parser_oom(p);
        element->flags = TABLE_DEFINED;
        element->depth = existing->depth + 1;
        if (toml_array_append(existing, element) < 0)
                return toml_parser_oom(p);
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

        _cleanup_toml_ nvct_toml_value *root = toml_value_new(NVCT_TOML_TABLE);
        if (root == NULL)
                return toml_parser_oom(&p);
        root->flags = TABLE_DEFINED;
        nvct_toml_value *current = root;

        for (;;) {
                toml_skip_whitespace(&p);
                if (p.pos >= p.len)
                        break;

                int c = peek(&p);
                if (c == '#')
                        r = skip_comment(&p);
                else if (toml_consume_newline(&p))
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
